/* cnn_rf.h: `cnn rf`, receptive fields of an architecture (cmd_rf.c). */
#ifndef CNN_RF_H
#define CNN_RF_H

/* Runs `cnn rf WORDS...` (the n words after "rf"); returns the exit status. */
int cnn_cmd_rf(int n, char **words);

#endif
