/* SPDX-License-Identifier: MIT */
/* strip.c: the built-in channel strip on every output channel: trim (dB), 3-band EQ (low shelf, peak, high shelf),
 * polarity, mute, output gain (dB), balance per stereo pair, master gain; its parameters on the bus. At defaults a
 * channel is skipped entirely (output bit-identical to input). The arithmetic runs in the P-2 kernels (mixx_dsp_*:
 * gain, biquad cascade, RBJ designs), so the output is the same on every ISA. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mixxengine/dsp.h"
#include "params_internal.h"
#include "rt_text.h"

enum {
    P_TRIM = 0,
    P_POLARITY = 1,
    P_MUTE = 2,
    P_EQ = 3, /* 3 bands x (freq, gain, q) */
    P_GAIN = 12,
    P_PER_CH = 13
};
#define EQ_SUB 32 /* while an EQ parameter moves, coefficients are redesigned every EQ_SUB samples */

typedef struct strip_ch {
    mixx_dsp_biquad c[3];
    double z[3][2]; /* per band: the two TDF-II state words, mixx_dsp_biquad_cascade's layout for 1 channel */
    int on[3];
    float d_freq[3], d_gain[3], d_q[3]; /* what c[] was designed for; d_freq < 0: not designed */
} strip_ch;

struct mixx_strip {
    /* what every cycle reads first, in one line: the struct is line-aligned (mixx__strip_create). Per channel,
     * mark[c] = a parameter of channel c changed this block, idle[c] = c is at rest (everything at its
     * default): both in one allocation, so an idle strip's cycle reads two lines, not 2 + one per channel
     * (a cycle after a cache flush pays a miss per distinct line: docs/performance.md, issue 13) */
    _Alignas(MIXX_CACHE_LINE) mixx_bus *b;
    uint8_t *mark, *idle;
    strip_ch *ch;
    uint32_t nch, i_pair, i_master, npairs;
    uint32_t rate;
    float *buf[4];
    int in_hot, mark_in_hot; /* the struct, the marks: in the engine's hot block (destroy must not free them) */
};

static const char *const band_name[3] = {"low", "mid", "high"};
static const double band_freq[3] = {100.0, 1000.0, 8000.0};
static const double band_q[3] = {0.707, 1.0, 0.707};
static const mixx_dsp_biquad_type band_type[3] = {MIXX_BIQUAD_LOWSHELF, MIXX_BIQUAD_PEAKING, MIXX_BIQUAD_HIGHSHELF};
static const mixx_dsp_biquad identity = {1.0f, 0.0f, 0.0f, 0.0f, 0.0f};

/* x[i] *= g[i]: the one product mixx_dsp has no kernel for (a gain curve that is not one linear ramp) */
MIXX_RT_TEXT
static void mul(float *x, const float *g, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        x[i] *= g[i];
}

/* band j of an RBJ design at (f, gain_db, q); frequencies above 0.49 fs are pulled in (the parameter range goes to
 * 20 kHz, a 44.1 kHz stream ends at 22.05). The arguments are in range, so the design cannot fail; if it ever did
 * the band stays an identity rather than filtering with stale coefficients. */
static void design(mixx_dsp_biquad *c, uint32_t j, double fs, double f, double gain_db, double q)
{
    if (f > 0.49 * fs)
        f = 0.49 * fs;
    if (mixx_dsp_biquad_design(c, band_type[j], fs, f, q, gain_db) != 0)
        *c = identity;
}

/* up to 3 bands (not necessarily adjacent in ch->c) in series, one pass of the dsp cascade over one channel */
MIXX_RT_TEXT
static void cascade(float *x, uint32_t n, strip_ch *ch, const uint32_t *band, uint32_t nb)
{
    if (!nb)
        return;
    mixx_dsp_biquad sec[3] = {identity, identity, identity};
    double z[6] = {0};
    for (uint32_t k = 0; k < nb; k++) {
        sec[k] = ch->c[band[k]];
        z[2 * k] = ch->z[band[k]][0];
        z[2 * k + 1] = ch->z[band[k]][1];
    }
    mixx_dsp_biquad_cascade(&x, 1, n, sec, nb, z);
    for (uint32_t k = 0; k < nb; k++) {
        ch->z[band[k]][0] = z[2 * k];
        ch->z[band[k]][1] = z[2 * k + 1];
    }
}

static int add(mixx_bus *b, uint32_t id, const char *name, const char *unit, double mn, double mx, double def,
               uint32_t flags, double ms)
{
    mixx_param_info pi;
    memset(&pi, 0, sizeof pi);
    pi.id = id;
    pi.flags = flags;
    snprintf(pi.name, sizeof pi.name, "%s", name);
    snprintf(pi.unit, sizeof pi.unit, "%s", unit);
    pi.min = mn;
    pi.max = mx;
    pi.def = def;
    pi.smoothing_ms = ms;
    int rc = mixx__bus_add(b, &pi);
    return rc < 0 ? rc : 0;
}

int mixx__strip_create(mixx_strip **out, mixx_bus *b, uint32_t channels, uint32_t max_frames, struct mixx_hot *hot)
{
    *out = NULL;
    /* the struct and the marks are what an idle strip's cycle reads: in the hot block when there is one */
    int in_hot;
    mixx_strip *s = mixx__hot_or_heap(hot, sizeof *s, _Alignof(mixx_strip), &in_hot);
    if (!s)
        return MIXX_ENOMEM;
    s->in_hot = in_hot;
    s->b = b;
    s->nch = channels;
    s->npairs = channels / 2;
    s->rate = b->rate;
    s->ch = calloc(channels ? channels : 1, sizeof *s->ch);
    const size_t nmark = channels ? 2 * (size_t)channels : 2;
    s->mark = mixx__hot_or_heap(hot, nmark, 1, &s->mark_in_hot);
    s->idle = s->mark ? s->mark + (channels ? channels : 1) : NULL;
    for (int i = 0; i < 4; i++)
        s->buf[i] = calloc(max_frames, sizeof(float));
    if (!s->ch || !s->mark || !s->buf[0] || !s->buf[1] || !s->buf[2] || !s->buf[3]) {
        mixx__strip_destroy(s);
        return MIXX_ENOMEM;
    }
    for (int i = 0; i < 4; i++)
        mixx__prefault(s->buf[i], (size_t)max_frames * sizeof(float));
    int rc = 0;
    char n[MIXX_PARAM_NAME_MAX];
    for (uint32_t c = 0; c < channels && rc == 0; c++) {
        uint32_t id = 0x100u * (c + 1);
        snprintf(n, sizeof n, "ch%u.trim_db", c + 1);
        rc = add(b, id + P_TRIM, n, "dB", -24, 24, 0, MIXX_PARAM_DB, 20);
        snprintf(n, sizeof n, "ch%u.polarity", c + 1);
        rc = rc ? rc : add(b, id + P_POLARITY, n, "", 0, 1, 0, MIXX_PARAM_BOOL, 5);
        snprintf(n, sizeof n, "ch%u.mute", c + 1);
        rc = rc ? rc : add(b, id + P_MUTE, n, "", 0, 1, 0, MIXX_PARAM_BOOL, 5);
        for (uint32_t j = 0; j < 3; j++) {
            snprintf(n, sizeof n, "ch%u.eq.%s.freq_hz", c + 1, band_name[j]);
            rc = rc ? rc : add(b, id + P_EQ + 3 * j, n, "Hz", 20, 20000, band_freq[j], MIXX_PARAM_LOG, 20);
            snprintf(n, sizeof n, "ch%u.eq.%s.gain_db", c + 1, band_name[j]);
            rc = rc ? rc : add(b, id + P_EQ + 3 * j + 1, n, "dB", -24, 24, 0, MIXX_PARAM_DB, 20);
            snprintf(n, sizeof n, "ch%u.eq.%s.q", c + 1, band_name[j]);
            rc = rc ? rc : add(b, id + P_EQ + 3 * j + 2, n, "", 0.1, 10, band_q[j], MIXX_PARAM_LOG, 20);
        }
        snprintf(n, sizeof n, "ch%u.gain_db", c + 1);
        rc = rc ? rc : add(b, id + P_GAIN, n, "dB", -96, 24, 0, MIXX_PARAM_DB, 20);
    }
    s->i_pair = channels * P_PER_CH;
    for (uint32_t p = 0; p < s->npairs && rc == 0; p++) {
        snprintf(n, sizeof n, "pair%u.balance", p + 1);
        rc = add(b, 0x8000u + p + 1, n, "", -1, 1, 0, 0, 20);
    }
    s->i_master = s->i_pair + s->npairs;
    rc = rc ? rc : add(b, 0x0001u, "master.gain_db", "dB", -96, 24, 0, MIXX_PARAM_DB, 20);
    if (rc) {
        mixx__strip_destroy(s);
        return rc;
    }
    b->n_strip = s->i_master + 1;
    b->strip_channels = channels;
    for (uint32_t c = 0; c < channels; c++)
        s->idle[c] = 1;
    *out = s;
    return 0;
}

void mixx__strip_destroy(mixx_strip *s)
{
    if (!s)
        return;
    for (int i = 0; i < 4; i++)
        free(s->buf[i]);
    free(s->ch);
    mixx__hot_free(s->mark, s->mark_in_hot);
    mixx__hot_free(s, s->in_hot);
}

static void ch_reset(strip_ch *ch)
{
    memset(ch->z, 0, sizeof ch->z);
    for (int j = 0; j < 3; j++) {
        ch->on[j] = 0;
        ch->d_freq[j] = -1.0f;
    }
}

void mixx__strip_start(mixx_strip *s, uint32_t rate)
{
    s->rate = rate;
    for (uint32_t c = 0; c < s->nch; c++) {
        ch_reset(&s->ch[c]);
        s->idle[c] = 0; /* decided by the first block */
        s->mark[c] = 1;
    }
}

/* the state at the end of this block: everything at its default and no ramp in flight */
MIXX_RT_TEXT
static int at_rest(const mixx_bus *b, uint32_t idx)
{
    const mixx_pstate *st = &b->st[idx];
    return st->r.pos >= st->r.len && st->target == b->deff[idx];
}

MIXX_RT_TEXT
static int ch_idle(const mixx_strip *s, uint32_t c)
{
    const mixx_bus *b = s->b;
    uint32_t base = c * P_PER_CH;
    if (!at_rest(b, base + P_TRIM) || !at_rest(b, base + P_POLARITY) || !at_rest(b, base + P_MUTE) ||
        !at_rest(b, base + P_GAIN) || !at_rest(b, s->i_master))
        return 0;
    for (uint32_t j = 0; j < 3; j++)
        if (!at_rest(b, base + P_EQ + 3 * j + 1))
            return 0;
    return c / 2 >= s->npairs || at_rest(b, s->i_pair + c / 2);
}

static int same_sections(const strip_ch *a, const uint32_t *ba, const strip_ch *b, const uint32_t *bb, uint32_t nb)
{
    for (uint32_t k = 0; k < nb; k++)
        if (memcmp(&a->c[ba[k]], &b->c[bb[k]], sizeof a->c[0]) != 0)
            return 0;
    return 1;
}

/* two channels through the same sections in one call: state in the kernel's layout [(s * 2 + k) * 2 + channel] */
MIXX_RT_TEXT
static void cascade2(float *x0, float *x1, uint32_t n, strip_ch *c0, strip_ch *c1, const uint32_t *band0,
                     const uint32_t *band1, uint32_t nb)
{
    const uint32_t *band[2] = {band0, band1};
    mixx_dsp_biquad sec[3] = {identity, identity, identity};
    double z[12] = {0};
    strip_ch *ch[2] = {c0, c1};
    for (uint32_t k = 0; k < nb; k++) {
        sec[k] = c0->c[band0[k]];
        for (uint32_t i = 0; i < 2; i++)
            for (uint32_t j = 0; j < 2; j++)
                z[(k * 2 + j) * 2 + i] = ch[i]->z[band[i][k]][j];
    }
    float *buf[2] = {x0, x1};
    mixx_dsp_biquad_cascade(buf, 2, n, sec, nb, z);
    for (uint32_t k = 0; k < nb; k++)
        for (uint32_t i = 0; i < 2; i++)
            for (uint32_t j = 0; j < 2; j++)
                ch[i]->z[band[i][k]][j] = z[(k * 2 + j) * 2 + i];
}

/* the post-EQ gain factors: out gain, polarity (1 - 2p), mute (1 - m), balance, master */
static double factor(const mixx_strip *s, uint32_t c, int which, double v)
{
    (void)s;
    switch (which) {
    case 1:
        return 1.0 - 2.0 * v; /* polarity: crossfade through zero */
    case 2:
        return 1.0 - v; /* mute */
    case 3:
        if (c & 1)
            return v >= 0 ? 1.0 : 1.0 + v;
        return v <= 0 ? 1.0 : 1.0 - v;
    default:
        return v;
    }
}

/* trim and EQ of channel c, except the static bands after the last moving one: those are left in casc[0..*nc)
 * for the caller to run (alone, or with the other channel of the pair when both have the same sections) */
MIXX_RT_TEXT
static void pre_eq(mixx_strip *s, uint32_t c, float *x, uint32_t n, uint32_t *casc, uint32_t *ncasc)
{
    mixx_bus *b = s->b;
    strip_ch *ch = &s->ch[c];
    uint32_t base = c * P_PER_CH;
    double v;
    /* trim (pre-EQ), linear in gain */
    if (mixx__bus_static(b, base + P_TRIM, &v)) {
        if (v != 1.0)
            mixx_dsp_gain(x, x, (float)v, n);
    } else {
        mixx__bus_render_idx(b, base + P_TRIM, s->buf[0], n);
        mul(x, s->buf[0], n);
    }
    /* EQ: a band at 0 dB is an identity and is skipped; consecutive static bands run as one cascade */
    uint32_t nc = 0;
    for (uint32_t j = 0; j < 3; j++) {
        uint32_t fi = base + P_EQ + 3 * j, gi = fi + 1, qi = fi + 2;
        double f, g, q;
        int sf = mixx__bus_static(b, fi, &f), sg = mixx__bus_static(b, gi, &g), sq = mixx__bus_static(b, qi, &q);
        if (sg && g == 1.0) {
            if (ch->on[j]) {
                ch->on[j] = 0;
                ch->z[j][0] = ch->z[j][1] = 0.0;
            }
            continue;
        }
        if (!ch->on[j]) { /* identity until the first design point */
            ch->on[j] = 1;
            ch->c[j] = identity;
            ch->d_freq[j] = -1.0f;
        }
        if (sf && sg && sq) {
            float gdb = b->st[gi].target;
            if (ch->d_freq[j] != (float)f || ch->d_gain[j] != gdb || ch->d_q[j] != (float)q) {
                design(&ch->c[j], j, s->rate, f, gdb, q);
                ch->d_freq[j] = (float)f;
                ch->d_gain[j] = gdb;
                ch->d_q[j] = (float)q;
            }
            casc[nc++] = j;
            continue;
        }
        if (nc) {
            cascade(x, n, ch, casc, nc);
            nc = 0;
        }
        mixx__bus_render_idx(b, fi, s->buf[1], n);
        mixx__bus_render_idx(b, gi, s->buf[2], n);
        mixx__bus_render_idx(b, qi, s->buf[3], n);
        /* design points on the absolute sample clock (multiples of EQ_SUB): the output does not depend on how
         * the stream is cut into blocks */
        uint32_t phase = (uint32_t)(b->t0 % EQ_SUB);
        for (uint32_t at = 0; at < n;) {
            uint32_t m = phase ? EQ_SUB - phase : EQ_SUB;
            if (m > n - at)
                m = n - at;
            if (phase == 0)
                design(&ch->c[j], j, s->rate, s->buf[1][at], 20.0 * log10((double)s->buf[2][at]), s->buf[3][at]);
            cascade(x + at, m, ch, &j, 1);
            at += m;
            phase = 0;
        }
        ch->d_freq[j] = -1.0f;
    }
    *ncasc = nc;
}

/* the post-EQ gains of channel c */
MIXX_RT_TEXT
static void post_eq(mixx_strip *s, uint32_t c, float *x, uint32_t n)
{
    mixx_bus *b = s->b;
    uint32_t base = c * P_PER_CH;
    double v;
    uint32_t idx[5] = {base + P_GAIN, base + P_POLARITY, base + P_MUTE, s->i_pair + c / 2, s->i_master};
    int have_pair = c / 2 < s->npairs;
    double k = 1.0;
    int moving = 0;
    for (int w = 0; w < 5; w++) {
        if (w == 3 && !have_pair)
            continue;
        if (mixx__bus_static(b, idx[w], &v))
            k *= factor(s, c, w, v);
        else
            moving = 1;
    }
    if (!moving) {
        if (k != 1.0)
            mixx_dsp_gain(x, x, (float)k, n);
        return;
    }
    float *g = s->buf[0], *t = s->buf[1];
    for (uint32_t i = 0; i < n; i++)
        g[i] = (float)k;
    for (int w = 0; w < 5; w++) {
        if ((w == 3 && !have_pair) || mixx__bus_static(b, idx[w], &v))
            continue;
        mixx__bus_render_idx(b, idx[w], t, n);
        for (uint32_t i = 0; i < n; i++)
            g[i] = (float)((double)g[i] * factor(s, c, w, t[i]));
    }
    mul(x, g, n);
}

MIXX_RT_TEXT
void mixx__strip_process(mixx_strip *s, float *const *out, uint32_t n_out, uint32_t n)
{
    mixx_bus *b = s->b;
    const uint32_t nch = s->nch;
    for (uint32_t k = 0; k < b->n_touched; k++) {
        uint32_t idx = b->touched[k];
        if (idx < s->i_pair) {
            s->mark[idx / P_PER_CH] = 1;
        } else if (idx < s->i_master) {
            uint32_t p = idx - s->i_pair;
            s->mark[2 * p] = s->mark[2 * p + 1] = 1;
        } else if (idx == s->i_master) {
            memset(s->mark, 1, nch);
        }
    }
    uint32_t k = n_out < nch ? n_out : nch;
    for (uint32_t c = 0; c < k; c++) {
        strip_ch *ch = &s->ch[c];
        if (!s->mark[c] && s->idle[c])
            continue;
        s->mark[c] = 0;
        uint32_t casc[3], nc;
        pre_eq(s, c, out[c], n, casc, &nc);
        /* the pair's other channel too when it is also processed: if both end in the same static sections they
         * run as one 2-channel cascade (SIMD lanes); the kernel gives each lane what a 1-channel call gives */
        uint32_t d = c + 1, casc2[3], nc2 = 0;
        int pair = (c & 1) == 0 && d < k && (s->mark[d] || !s->idle[d]);
        if (pair) {
            s->mark[d] = 0;
            pre_eq(s, d, out[d], n, casc2, &nc2);
        }
        if (pair && nc && nc == nc2 && same_sections(&s->ch[c], casc, &s->ch[d], casc2, nc))
            cascade2(out[c], out[d], n, &s->ch[c], &s->ch[d], casc, casc2, nc);
        else {
            cascade(out[c], n, ch, casc, nc);
            if (pair)
                cascade(out[d], n, &s->ch[d], casc2, nc2);
        }
        post_eq(s, c, out[c], n);
        s->idle[c] = ch_idle(s, c);
        if (s->idle[c])
            ch_reset(ch);
        if (pair) {
            post_eq(s, d, out[d], n);
            s->idle[d] = ch_idle(s, d);
            if (s->idle[d])
                ch_reset(&s->ch[d]);
            c = d;
        }
    }
}
