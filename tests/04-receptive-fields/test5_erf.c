/* test5_erf.c: erf_spread, eq. (4.14), and erf_mass_radius, eq. (4.15), on
 * maps whose answers are known: the exact ERF of n uniform 3x3 layers (a
 * box convolved with itself n times), Gaussian-like bumps, and maps built
 * so that a square holds exactly frac of the mass. */
#include <math.h>
#include <stdlib.h>

#include "grade.h"
#include "oracle_04.h"
#include "util.h"

#define N(a) ((int)(sizeof a / sizeof a[0]))

/* n uniform 3x3 layers: sigma = sqrt(n (3^2 - 1) / 12) = sqrt(2n/3) on each
 * axis, eq. (4.12). Zero margins around the map change nothing. */
START_TEST(test_spread_uniform)
{
    /* clause: erf_spread */
    int h, w;
    float *g = box_power_map(4, 3, 3, 2, 2, &h, &w);
    check_spread(g, h, w, "4 uniform 3x3 layers, sigma = sqrt(8/3)");
    free(g);
    g = box_power_map(9, 3, 3, 0, 0, &h, &w);
    check_spread(g, h, w, "9 uniform 3x3 layers, sigma = sqrt(6)");
    free(g);
}
END_TEST

/* Non-square kernels and maps, both ways round: sigma_h != sigma_w. */
START_TEST(test_spread_hw)
{
    /* clause: erf_spread */
    int h, w;
    float *g = box_power_map(3, 5, 3, 1, 4, &h, &w);
    check_spread(g, h, w, "3 uniform 5x3 layers, margins 1 and 4");
    free(g);
    g = box_power_map(3, 3, 5, 3, 0, &h, &w);
    check_spread(g, h, w, "3 uniform 3x5 layers, margin 3 on the rows");
    free(g);
}
END_TEST

/* A gradient has both signs, and its centre of mass need not be the middle
 * of the map. */
START_TEST(test_spread_signed)
{
    /* clause: erf_spread */
    /* clause: erf_abs */
    float *g = bump_map(21, 34, 6.3, 25.1, 2.5, 4.0, 1, 401);
    check_spread(g, 21, 34, "off-centre bump, random signs");
    free(g);
    g = bump_map(31, 17, 20.0, 5.5, 6.0, 2.0, 1, 402);
    check_spread(g, 31, 17, "tall off-centre bump, random signs");
    free(g);
}
END_TEST

/* 400 x 500 pixels: sums of |g| i^2 reach 10^10, where a float keeps only
 * seven digits. */
START_TEST(test_spread_large)
{
    /* clause: erf_spread_double */
    float *g = bump_map(400, 500, 230.0, 260.0, 90.0, 120.0, 0, 403);
    check_spread(g, 400, 500, "400x500 wide bump");
    free(g);
}
END_TEST

/* Radii of Gaussian-like bumps and of a uniform-layer ERF for several
 * fractions of the mass. */
START_TEST(test_radius_bumps)
{
    /* clause: erf_radius */
    /* clause: erf_abs */
    const double fracs[] = {0.05, 0.25, 0.5, 0.9, 0.99};
    float *g = bump_map(41, 41, 20.0, 20.0, 4.0, 4.0, 1, 404);
    check_radius(g, 41, 41, 20, 20, fracs, N(fracs), 0, "round bump, random signs");
    free(g);
    int h, w;
    g = box_power_map(8, 3, 3, 3, 3, &h, &w);
    check_radius(g, h, w, h / 2, w / 2, fracs, N(fracs), 0, "8 uniform 3x3 layers");
    free(g);
}
END_TEST

/* A square that holds exactly frac of the mass counts (at least frac):
 * centre 2, eight pixels of 0.25 around it, sixteen more of 0.25 outside. */
START_TEST(test_radius_tie)
{
    /* clause: erf_radius_tie */
    float g[5 * 5];
    for (int i = 0; i < 25; i++)
        g[i] = 0.25f;
    g[2 * 5 + 2] = 2.0f; /* total 2 + 24 * 0.25 = 8 */
    /* 0.3 is no tie: it tells a radius one too large from one that misses
     * the ties (the two agree at every tie). */
    const double fracs[] = {0.25, 0.3, 0.5, 0.75, 1.0};
    check_radius(g, 5, 5, 2, 2, fracs, N(fracs), 1,
                 "squares holding exactly 2, 4 and 8 of a total 8");
}
END_TEST

/* The centre near a corner: the squares are cut off at the map's edges, and
 * one side runs out long before the other. */
START_TEST(test_radius_edges)
{
    /* clause: erf_radius */
    /* clause: erf_radius_cap */
    const double fracs[] = {0.3, 0.6, 0.95};
    float *g = bump_map(13, 30, 2.0, 25.0, 3.0, 6.0, 0, 405);
    check_radius(g, 13, 30, 2, 25, fracs, N(fracs), 0, "bump near the top right");
    free(g);
    /* frac = 1 where the sums round differently: values from 1e-8 to 1e8,
     * whose total summed row by row comes out 2 ulp larger than the same
     * numbers summed ring by ring from the centre. No square but the one
     * covering the whole map is sure to hold all the mass; that one counts
     * by definition. */
    float m[9 * 11];
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 11; j++)
            m[i * 11 + j] = (float)(1.1 * pow(10.0, (i * 2 + j * 7) % 17 - 8));
    const double all[] = {1.0};
    check_radius(m, 9, 11, 4, 5, all, 1, 0, "values 1e-8 to 1e8, frac 1");
}
END_TEST

GRADED_SUITE(erf_suite, "erf_spread and erf_mass_radius",
    GRADED(test_spread_uniform, 3, "erf_spread: n uniform layers, sigma = sqrt(2n/3)"),
    GRADED(test_spread_hw, 2, "erf_spread: non-square kernels, h != w both ways"),
    GRADED(test_spread_signed, 2, "erf_spread: signed, off-centre maps"),
    GRADED(test_spread_large, 2, "erf_spread: a 400x500 map (sums in double)"),
    GRADED(test_radius_bumps, 3, "erf_mass_radius: bumps, fractions 5% to 99%"),
    GRADED(test_radius_tie, 2, "erf_mass_radius: a square holding exactly frac"),
    GRADED(test_radius_edges, 2, "erf_mass_radius: clipped squares, frac 1 with rounding"));
