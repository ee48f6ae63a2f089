/* progress.c: a one-line progress bar for a terminal, silent elsewhere.
 *
 *   epoch 1 [##########..........]  500/1000  50%  812.3/s  ETA 0:00:01
 *
 * Redrawn in place with a carriage return; the line is cleared to its end
 * each time, so a shorter redraw leaves no remnants of a longer one.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* the build passes it; this is for a bare cc */
#endif
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "timer.h"

enum { BAR_WIDTH = 24 };
static const double redraw_interval = 0.1; /* seconds */

/* "H:MM:SS", or "?" before the rate is known. */
static void format_eta(double seconds, char *buf, size_t len)
{
    unsigned long s;
    if (!(seconds >= 0.0) || seconds > 1e8) {
        snprintf(buf, len, "?");
        return;
    }
    s = (unsigned long)(seconds + 0.5);
    snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
}

static void draw(const Progress *p, double now)
{
    double elapsed = now - p->t_start;
    double rate = elapsed > 0.0 ? (double)p->done / elapsed : 0.0;
    char bar[BAR_WIDTH + 1], eta[32];

    if (p->total == 0) { /* unknown length: a count and a rate */
        fprintf(stderr, "\r%s  %zu  %.1f/s\033[K", p->label, p->done, rate);
        fflush(stderr);
        return;
    }
    size_t done = p->done < p->total ? p->done : p->total;
    double frac = (double)done / (double)p->total;
    int filled = (int)(frac * BAR_WIDTH);
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    format_eta(rate > 0.0 ? (double)(p->total - done) / rate : -1.0, eta,
               sizeof eta);
    fprintf(stderr, "\r%s [%s] %zu/%zu %3d%%  %.1f/s  ETA %s\033[K", p->label,
            bar, p->done, p->total, (int)(100.0 * frac), rate, eta);
    fflush(stderr);
}

void progress_start(Progress *p, const char *label, size_t total)
{
    p->label = label ? label : "";
    p->total = total;
    p->done = 0;
    p->t_start = p->t_last_draw = timer_now();
    p->enabled = isatty(fileno(stderr));
    if (p->enabled)
        draw(p, p->t_start);
}

void progress_update(Progress *p, size_t done)
{
    double now;
    p->done = done;
    if (!p->enabled)
        return;
    now = timer_now();
    if (now - p->t_last_draw < redraw_interval)
        return;
    p->t_last_draw = now;
    draw(p, now);
}

void progress_finish(Progress *p)
{
    if (!p->enabled)
        return;
    draw(p, timer_now());
    fputc('\n', stderr);
    fflush(stderr);
    p->enabled = 0; /* a second finish prints nothing */
}
