/* progress.h: a one-line progress bar on stderr, drawn only when stderr is a
 * terminal (a log file or a pipe gets nothing), redrawn at most ~10 times a
 * second so that it never slows the work it reports on.
 *
 *   Progress p;
 *   progress_start(&p, "epoch 1", n_batches);
 *   for (i = 0; i < n_batches; i++) { ...; progress_update(&p, i + 1); }
 *   progress_finish(&p);
 */
#ifndef CNN_PROGRESS_H
#define CNN_PROGRESS_H

#include <stddef.h>

typedef struct {
    const char *label;
    size_t total;
    size_t done;
    double t_start, t_last_draw;
    int enabled; /* stderr is a terminal */
} Progress;

void progress_start(Progress *p, const char *label, size_t total);
void progress_update(Progress *p, size_t done);
/* Draws the final state and ends the line (nothing when disabled). */
void progress_finish(Progress *p);

#endif
