/* rf_given.c: chapter 04, code that is given, not an exercise. It is
 * compiled once and linked with your rf.c and with the reference solution
 * alike. */
#include "rf.h"

/* Given: layer 0, the input image, eq. (4.3). */
RfState rf_input(void)
{
    const RfAxis pixel = {.size = 1, .jump = 1, .first = 0};
    return (RfState){.h = pixel, .w = pixel};
}

/* Given: the centre of unit 0's window, eq. (4.9). */
double rf_center(const RfAxis *a)
{
    return (double)a->first + (double)(a->size - 1) / 2.0;
}
