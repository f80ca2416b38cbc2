/* SPDX-License-Identifier: MIT */
/* rtl_analysis.c: the latency meter's analysis, on the monitor thread: finds the burst in each finished
 * capture window (multitone phase fit or impulse peak), judges its quality, tracks slips, and hands results
 * out through mixx_rtl_poll. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "prefault.h"
#include "rtl_internal.h"

/* ---- numerics used by the analysis only ---- */

/* After an FFT of x + i*y (both real) of size n: the spectra of x and y at bin k. */
static void split_bin(const rtl_cpx *z, size_t n, size_t k, rtl_cpx *x, rtl_cpx *y)
{
    rtl_cpx a = z[k], b = z[(n - k) & (n - 1)];
    x->re = 0.5 * (a.re + b.re);
    x->im = 0.5 * (a.im - b.im);
    y->re = 0.5 * (a.im + b.im);
    y->im = 0.5 * (b.re - a.re);
}

/* k-th smallest of v[0..n) (v is reordered). */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* ---- analysis (monitor thread) -------------------------------------------------------------------- */

typedef struct rtl_fit {
    double tau;    /* delay of the segment relative to the reference, frames */
    double var;    /* its variance from the noise estimate */
    double gain;   /* loop gain (signed) */
    double var_g;
    double noise;  /* per-sample noise variance */
    int ok;
} rtl_fit;

/* Band-limited cross-correlation J(tau) = sum_k Re(Y_k S_k* e^{i w_k tau}) and its two derivatives, over the
 * bins [klo, khi] of an n-point transform. Every tone contributes its phase agreement with a delay tau. */
static void corr_eval(const rtl_cpx *y, const rtl_cpx *s, size_t klo, size_t khi, size_t n, double tau,
                      double *j0, double *j1, double *j2)
{
    double w0 = 2.0 * M_PI / (double)n;
    double a = 0, b = 0, c = 0;
    double rr = cos(w0 * (double)klo * tau), ri = sin(w0 * (double)klo * tau);
    double dr = cos(w0 * tau), di = sin(w0 * tau);
    for (size_t k = klo; k <= khi; k++) {
        /* x = y * conj(s) * e^{i w tau} */
        double xr = y[k].re * s[k].re + y[k].im * s[k].im;
        double xi = y[k].im * s[k].re - y[k].re * s[k].im;
        double zr = xr * rr - xi * ri, zi = xr * ri + xi * rr;
        double w = w0 * (double)k;
        a += zr;
        b -= w * zi;
        c -= w * w * zr;
        double t = rr * dr - ri * di;
        ri = rr * di + ri * dr;
        rr = t;
        if (((k - klo) & 1023) == 1023) { /* keep the rotation on the unit circle */
            double g = 1.0 / hypot(rr, ri);
            rr *= g;
            ri *= g;
        }
    }
    *j0 = a;
    *j1 = b;
    *j2 = c;
}

/* Finds the delay that maximises pol * J(tau) near tau0 (Newton, with a bounded step), then estimates the
 * loop gain, the noise from the quadrature residual (the part of each tone that no delay explains) and from
 * it the variance of tau. seg_len: samples of the segment (the rest of the transform is zero padding). */
static rtl_fit fit_delay(const rtl_cpx *y, const rtl_cpx *s, size_t klo, size_t khi, size_t n, size_t seg_len,
                         double tau0, double pol, double noise_known)
{
    rtl_fit f = {0, INFINITY, 0, INFINITY, INFINITY, 0};
    double tau = tau0, j0 = 0, j1 = 0, j2 = 0;
    int converged = 0;
    for (int it = 0; it < 60; it++) {
        corr_eval(y, s, klo, khi, n, tau, &j0, &j1, &j2);
        double step;
        if (pol * j2 < 0)
            step = -j1 / j2;
        else
            step = pol * j1 > 0 ? 0.1 : -0.1;
        if (step > 0.3)
            step = 0.3;
        if (step < -0.3)
            step = -0.3;
        tau += step;
        if (!(fabs(tau) < 4.0))
            return f;
        if (fabs(step) < 1e-10) {
            converged = 1;
            break;
        }
    }
    corr_eval(y, s, klo, khi, n, tau, &j0, &j1, &j2);
    if (!(pol * j2 < 0))
        return f;
    double w0 = 2.0 * M_PI / (double)n;
    double ss = 0, sw = 0;
    for (size_t k = klo; k <= khi; k++) {
        double p = s[k].re * s[k].re + s[k].im * s[k].im;
        double w = w0 * (double)k;
        ss += p;
        sw += w * w * p;
    }
    if (!(ss > 0))
        return f;
    if (noise_known >= 0) {
        /* a partial reference (half burst): the other half's signal shows in the quadrature terms bin by bin
         * (it cancels in the sum), so the full fit's noise estimate is the right one */
        f.noise = noise_known;
    } else {
        double mean_p = ss / (double)(khi - klo + 1);
        double q2 = 0;
        size_t cnt = 0;
        for (size_t k = klo; k <= khi; k++) {
            double p = s[k].re * s[k].re + s[k].im * s[k].im;
            if (p < 0.05 * mean_p)
                continue;
            double xr = y[k].re * s[k].re + y[k].im * s[k].im;
            double xi = y[k].im * s[k].re - y[k].re * s[k].im;
            double ph = w0 * (double)k * tau;
            double zi = xr * sin(ph) + xi * cos(ph);
            q2 += zi * zi / p;
            cnt++;
        }
        if (!cnt)
            return f;
        /* per bin E[Q^2] = E|N_k|^2 / 2 = seg_len * sigma^2 / 2 */
        f.noise = 2.0 * (q2 / (double)cnt) / (double)seg_len;
    }
    f.tau = tau;
    f.gain = j0 / ss;
    /* var(J') = sigma^2 * n/2 * sum w^2 |S|^2 (the bins of a zero-padded segment are not independent: this
     * is the time-domain count); var(tau) = var(J') / J''^2 */
    f.var = f.noise * 0.5 * (double)n * sw / (j2 * j2);
    f.var_g = f.noise * 0.5 * (double)n / ss;
    f.ok = converged;
    return f;
}

static double quality_of(double sigma)
{
    double r = sigma / RTL_SIGMA_Q;
    return 1.0 / (1.0 + r * r);
}

/* Robust noise level of v[0..n) (1.4826 * median |v|), using m->scratch. */
static double robust_sigma(mixx_rtl *m, const double *v, size_t stride, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m->scratch[i] = fabs(v[i * stride]);
    return 1.4826 * select_kth(m->scratch, n, n / 2);
}

static void result_reject(mixx_rtl_result *r, mixx_rtl_status st, double quality, double snr_db)
{
    r->status = st;
    r->rtl_frames = NAN;
    r->excess_frames = NAN;
    r->quality = quality;
    r->snr_db = snr_db;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void debugf(const mixx_rtl *m, const char *fmt, ...)
{
    if (!m->debug)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("mixxengine rtl debug: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Strongest |v| outside +-excl of index p in [0, n). */
static double second_peak(const double *v, size_t stride, size_t n, size_t p, size_t excl)
{
    double best = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + excl >= p && i <= p + excl)
            continue;
        double a = fabs(v[i * stride]);
        if (a > best)
            best = a;
    }
    return best;
}

/* The multitone analysis of one capture window m->win[0..cycle). Sets status, frames, polarity, quality. */
static void analyse_multitone(mixx_rtl *m, uint64_t burst, mixx_rtl_result *r, double *sigma_out, double *est_out)
{
    *est_out = NAN; /* the burst's delay when the fit is sound but maybe too noisy alone (for integration) */
    const uint32_t cycle = m->cycle, L = m->L, M = m->M;
    const float *s = m->stim[burst % RTL_NSEQ];
    const double es = m->stim_energy[burst % RTL_NSEQ];
    rtl_cpx *a = m->fa, *b = m->fb;
    *sigma_out = INFINITY;

    /* 1. coarse: the band-limited cross-correlation of the whole window with the burst (one FFT of
     * window + i*burst, one inverse); its peak is the arrival, unambiguous over the window */
    size_t n1 = mixx__rtl_pow2_at_least((double)cycle + L);
    for (size_t t = 0; t < n1; t++) {
        a[t].re = t < cycle ? m->win[t] : 0.0;
        a[t].im = t < L ? s[t] : 0.0;
    }
    mixx__rtl_fft(a, n1, m->tw, m->n1_max, 0);
    size_t klo = (size_t)ceil(RTL_F_LO * n1), khi = (size_t)floor(RTL_F_HI * n1);
    memset(b, 0, n1 * sizeof *b);
    for (size_t k = klo; k <= khi; k++) {
        rtl_cpx w, sk;
        split_bin(a, n1, k, &w, &sk);
        rtl_cpx p = {w.re * sk.re + w.im * sk.im, w.im * sk.re - w.re * sk.im};
        b[k] = p;
        b[n1 - k].re = p.re;
        b[n1 - k].im = -p.im;
    }
    mixx__rtl_fft(b, n1, m->tw, m->n1_max, 1);
    /* b[l].re * 1/n1 = sum_t win[t] s[t - l] (band-limited): a burst arriving D frames after its emission at
     * window index M peaks at l = M + D */
    const double *r0 = &b[0].re;
    const size_t stride = 2;
    size_t lmax = cycle;
    size_t pk = 0;
    double best = -1;
    for (size_t l = 0; l < lmax; l++) {
        double v = fabs(r0[l * stride]);
        if (v > best) {
            best = v;
            pk = l;
        }
    }
    double peak = r0[pk * stride] / (double)n1;
    double sig_r = robust_sigma(m, r0, stride, lmax) / (double)n1;
    double signif = sig_r > 0 ? fabs(peak) / sig_r : (fabs(peak) > 0 ? INFINITY : 0);
    double g_coarse = peak / es;
    debugf(m, "burst %llu: coarse peak at lag %zu (D=%lld) gain %.4g signif %.1f", (unsigned long long)burst, pk,
           (long long)pk - (long long)M, g_coarse, signif);
    if (signif < RTL_NOSIGNAL || fabs(g_coarse) < 1e-5) {
        result_reject(r, MIXX_RTL_NO_SIGNAL, 0.0, NAN);
        return;
    }
    double pol = peak < 0 ? -1.0 : 1.0;
    r->inverted = pol < 0;
    if (signif < RTL_DETECT) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, NAN);
        debugf(m, "  weak peak");
        return;
    }
    double second = second_peak(r0, stride, lmax, pk, 8) / (double)n1;
    if (second > 0.2 * fabs(peak) && second > 7.0 * sig_r) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, NAN);
        debugf(m, "  second peak %.3g of the main one (echo, slip or ambiguous loop)", second / fabs(peak));
        return;
    }
    long long d0 = (long long)pk - (long long)M;
    if (d0 < 0 || d0 > (long long)m->range) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, NAN);
        debugf(m, "  arrival at %lld frames is out of range 0..%u", d0, m->range);
        return;
    }
    /* sub-sample start for the fine search: parabola through the peak */
    double tau0 = 0;
    if (pk > 0 && pk + 1 < lmax) {
        double ym = pol * r0[(pk - 1) * stride], y0 = pol * r0[pk * stride], yp = pol * r0[(pk + 1) * stride];
        double den = ym - 2 * y0 + yp;
        if (den < 0)
            tau0 = 0.5 * (ym - yp) / den;
    }

    /* 2. fine: the segment [d0, d0 + L + 2M) holds the whole arrival with its filter tails; the reference is
     * the burst at offset M. Its spectrum and the two half-burst references give three delay fits. */
    const size_t n2 = m->n2, seg = (size_t)L + 2 * M;
    for (size_t t = 0; t < n2; t++) {
        a[t].re = t < seg ? m->win[(size_t)d0 + t] : 0.0;
        a[t].im = (t >= M && t - M < L) ? s[t - M] : 0.0;
    }
    mixx__rtl_fft(a, n2, m->tw, m->n1_max, 0);
    size_t k2lo = (size_t)ceil(RTL_F_LO * n2), k2hi = (size_t)floor(RTL_F_HI * n2);
    /* b[k] = Y, b[n2 + k] = S (b has n1_max >= 2 * n2 entries) */
    rtl_cpx *Y = b, *S = b + n2, *Sa = b + 2 * n2, *Sb = b + 3 * n2;
    for (size_t k = k2lo; k <= k2hi; k++)
        split_bin(a, n2, k, &Y[k], &S[k]);
    /* the two halves of the burst, with a short cross-fade so each is a clean piece of the same signal */
    const double mid = M + L / 2.0, xf = 32.0;
    for (size_t t = 0; t < n2; t++) {
        double v = (t >= M && t - M < L) ? s[t - M] : 0.0;
        double x = ((double)t - mid) / xf;
        double wa = x <= -1 ? 1.0 : x >= 1 ? 0.0 : 0.5 - 0.5 * sin(0.5 * M_PI * x);
        a[t].re = v * wa;
        a[t].im = v * (1.0 - wa);
    }
    mixx__rtl_fft(a, n2, m->tw, m->n1_max, 0);
    for (size_t k = k2lo; k <= k2hi; k++)
        split_bin(a, n2, k, &Sa[k], &Sb[k]);

    rtl_fit f = fit_delay(Y, S, k2lo, k2hi, n2, seg, tau0, pol, -1.0);
    if (!f.ok) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, NAN);
        debugf(m, "  fine fit did not converge");
        return;
    }
    rtl_fit fa = fit_delay(Y, Sa, k2lo, k2hi, n2, seg, f.tau, pol, f.noise);
    rtl_fit fb = fit_delay(Y, Sb, k2lo, k2hi, n2, seg, f.tau, pol, f.noise);
    double sigma = sqrt(f.var);
    double snr = f.noise > 0 ? f.gain * f.gain * (es / L) / f.noise : INFINITY;
    double snr_db = snr > 0 ? 10.0 * log10(snr) : -150.0;
    if (snr_db > 150.0)
        snr_db = 150.0;
    r->snr_db = snr_db;
    int consistent = fa.ok && fb.ok;
    double dtau = consistent ? fabs(fa.tau - fb.tau) : INFINITY;
    double dgain = consistent ? fabs(fa.gain - fb.gain) : INFINITY;
    if (consistent) {
        if (dtau > 6.0 * sqrt(fa.var + fb.var) + 0.002)
            consistent = 0;
        /* a loop is linear and time-invariant over one burst: halves whose gains differ by more than 5 % (plus
         * what the noise explains) saw a disturbed loop, e.g. a JACK cycle lost inside the burst (seen: 0.76
         * vs 1.00 at 5 dB "SNR" on a clean digital loop); that is unreliable, whatever sigma says */
        if (dgain > 0.05 * fabs(f.gain) + 6.0 * sqrt(fa.var_g + fb.var_g))
            consistent = 0;
        /* the halves' disagreement is a second, empirical error estimate */
        if (0.5 * dtau > sigma)
            sigma = 0.5 * dtau;
    }
    debugf(m, "  fine: tau %.5f sigma %.5f gain %.4g snr %.1f dB, halves %.5f / %.5f, gains %.4g / %.4g", f.tau,
           sigma, f.gain, snr_db, fa.tau, fb.tau, fa.gain, fb.gain);
    double frames = (double)d0 + f.tau;
    *sigma_out = sigma;
    if (consistent && isfinite(sigma) && sigma > 0)
        *est_out = frames;
    if (!consistent || !(sigma <= RTL_SIGMA_OK)) {
        result_reject(r, MIXX_RTL_UNRELIABLE, quality_of(sigma), snr_db);
        debugf(m, "  unreliable: %s", consistent ? "too noisy" : "the two halves of the burst disagree");
        return;
    }
    r->status = MIXX_RTL_OK;
    r->rtl_frames = frames;
    r->quality = quality_of(sigma);
}

/* The plain impulse method of the original plan: the largest sample of the window is the arrival, a
 * parabola through it and its neighbours gives the fraction. Kept as the baseline the report compares. */
static void analyse_impulse(mixx_rtl *m, mixx_rtl_result *r, double *sigma_out)
{
    const uint32_t cycle = m->cycle, M = m->M;
    const float *w = m->win;
    *sigma_out = INFINITY;
    size_t pk = 0;
    double best = -1;
    for (size_t t = 0; t < cycle; t++) {
        double v = fabs(w[t]);
        if (v > best) {
            best = v;
            pk = t;
        }
        m->scratch[t] = v;
    }
    double sig = 1.4826 * select_kth(m->scratch, cycle, cycle / 2);
    double peak = w[pk];
    double signif = sig > 0 ? fabs(peak) / sig : (fabs(peak) > 0 ? INFINITY : 0);
    debugf(m, "impulse: peak %.4g at %zu, noise %.3g, signif %.1f", peak, pk, sig, signif);
    double snr_db = sig > 0 ? 20.0 * log10(fabs(peak) / sig) : 150.0;
    if (snr_db > 150.0)
        snr_db = 150.0;
    if (signif < RTL_NOSIGNAL || fabs(peak) < 1e-6) {
        result_reject(r, MIXX_RTL_NO_SIGNAL, 0.0, NAN);
        return;
    }
    double pol = peak < 0 ? -1.0 : 1.0;
    r->inverted = pol < 0;
    long long d0 = (long long)pk - (long long)M;
    if (signif < RTL_DETECT || d0 < 0 || d0 > (long long)m->range || pk == 0 || pk + 1 >= cycle) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, snr_db);
        return;
    }
    /* a band-limited impulse rings for a few samples: look for another arrival beyond that */
    double second = 0;
    for (size_t t = 0; t < cycle; t++)
        if ((t + 8 < pk || t > pk + 8) && fabs(w[t]) > second)
            second = fabs(w[t]);
    if (second > 0.2 * fabs(peak) && second > 7.0 * sig) {
        result_reject(r, MIXX_RTL_UNRELIABLE, 0.0, snr_db);
        return;
    }
    double ya = pol * w[pk - 1], yb = pol * w[pk], yc = pol * w[pk + 1];
    double den = ya - 2 * yb + yc;
    double p = 0, sigma = 0;
    if (den < 0) {
        p = 0.5 * (ya - yc) / den;
        /* noise propagated through the vertex formula */
        double da = (yc - yb) / (den * den), db = (ya - yc) / (den * den), dc = (yb - ya) / (den * den);
        sigma = sig * sqrt(da * da + db * db + dc * dc);
    }
    *sigma_out = sigma;
    r->snr_db = snr_db;
    if (!(sigma <= RTL_SIGMA_OK)) {
        result_reject(r, MIXX_RTL_UNRELIABLE, quality_of(sigma), snr_db);
        return;
    }
    r->status = MIXX_RTL_OK;
    r->rtl_frames = (double)d0 + p;
    /* a parabola through a sampled band-limited pulse is biased by up to ~0.12 frame unless the delay is an
     * integer or a half-integer (docs/latency.md); the noise figure cannot show that, so the quality of a
     * fractional result carries it */
    double bias = fabs(p) > 0.01 && fabs(p) < 0.49 ? 0.12 : 0.0;
    r->quality = quality_of(sqrt(sigma * sigma + bias * bias));
}

/* Integration over bursts (multitone): a burst whose fit is sound but whose sigma exceeds RTL_SIGMA_TARGET is
 * held and combined with the next ones (inverse-variance weighted mean of their delays), until the combination
 * reaches the target or the next burst would take the measurement past RTL_INTEGRATE_MAX_S: then OK if its
 * sigma <= RTL_SIGMA_OK_LONG, else unreliable. The bursts' scatter is checked against their sigmas: when the
 * newest burst disagrees with the ones before it (the loop moved, or one burst was an outlier), the integration
 * starts again from the newest burst, within the same time limit; a disagreement at the limit is unreliable,
 * and so is a restarted integration that reaches the limit with fewer than 3 bursts (it began with a burst picked
 * for disagreeing: one more burst agreeing with it is not enough to trust it). Bursts that fail the check are
 * never averaged together. A burst precise enough alone, or with no sound fit, ends an integration under way and
 * is reported alone. Returns 1 when *r holds the result to hand out, 0 when the burst was absorbed (nothing to
 * report yet). Monitor, under the lock. */
static int integrate(mixx_rtl *m, mixx_rtl_result *r, double est, double *sigma)
{
    const double burst_s = (double)m->cycle / (double)m->rate;
    const int usable = isfinite(est) && *sigma > RTL_SIGMA_TARGET;
    /* the time this measurement took: the bursts before this one (integrated, dropped at a restart, or lost to a
     * late monitor) and this one */
    r->integration_s = (double)(m->acc_total + 1) * burst_s;
    if (!usable) {
        /* a burst with no sound fit (loop changed, lost signal) or one precise enough alone: the pending bursts
         * go with it */
        if (m->acc_n)
            debugf(m, "integration of %u bursts abandoned (%s)", m->acc_n,
                   isfinite(est) ? "a burst precise alone" : "a burst with no sound fit");
        m->acc_n = m->acc_total = m->acc_restarted = 0;
        m->acc_w = m->acc_wx = m->acc_wxx = 0;
        return 1;
    }
    double w = 1.0 / (*sigma * *sigma);
    m->acc_n++;
    m->acc_total++;
    m->acc_w += w;
    m->acc_wx += w * est;
    m->acc_wxx += w * est * est;
    double mean = m->acc_wx / m->acc_w, sc = 1.0 / sqrt(m->acc_w);
    /* chi-square of the bursts around their mean: a loop that moved meanwhile is not averaged into a value */
    double chi2 = m->acc_wxx - m->acc_wx * mean, dof = (double)m->acc_n - 1.0;
    int scattered = m->acc_n > 1 && chi2 > dof + 5.0 * sqrt(2.0 * dof) + 4.0;
    int full = (double)(m->acc_total + 1) * burst_s > RTL_INTEGRATE_MAX_S;
    debugf(m, "  integration: %u bursts (%u in this measurement), mean %.5f sigma %.5f chi2 %.1f", m->acc_n,
           m->acc_total, mean, sc, chi2);
    if (scattered && !full) {
        /* the newest burst disagrees with the ones before it: begin again from it (it is the loop as it is now);
         * an outlier costs time, not the measurement (seen once in CI: two sound bursts of a clean loop at 20 dB
         * disagreed beyond the threshold, and the measurement came out unreliable) */
        debugf(m, "  integration restarted: %u earlier bursts disagree with this one", m->acc_n - 1);
        m->acc_n = 1;
        m->acc_restarted = 1;
        m->acc_w = w;
        m->acc_wx = w * est;
        m->acc_wxx = w * est * est;
        mean = est;
        sc = *sigma;
        scattered = 0;
    }
    if (!scattered && sc > RTL_SIGMA_TARGET && !full)
        return 0;
    r->integration_s = (double)m->acc_total * burst_s;
    const int too_few = full && m->acc_restarted && m->acc_n < 3;
    if (!scattered && !too_few && sc <= RTL_SIGMA_OK_LONG) {
        r->status = MIXX_RTL_OK;
        r->rtl_frames = mean;
        r->quality = 1.0 / (1.0 + (sc / RTL_SIGMA_Q) * (sc / RTL_SIGMA_Q));
        *sigma = sc;
    } else {
        r->status = MIXX_RTL_UNRELIABLE;
        r->rtl_frames = NAN;
        debugf(m, "  integration unreliable: %s", scattered ? "the bursts disagree"
                                                   : too_few ? "restarted, too few bursts at the limit"
                                                             : "too noisy after the limit");
    }
    m->acc_n = m->acc_total = m->acc_restarted = 0;
    m->acc_w = m->acc_wx = m->acc_wxx = 0;
    return 1;
}

static int poll_burst(mixx_rtl *m, mixx_rtl_result *out);

int mixx_rtl_poll(mixx_rtl *m, mixx_rtl_result *out)
{
    if (!m || !out)
        return 0;
    int rc;
    while ((rc = poll_burst(m, out)) == 2) /* a burst went into an integration: look at the next one */
        ;
    return rc;
}

/* One burst: 0 (none complete), 1 (*out is a result), 2 (absorbed by an integration). */
static int poll_burst(mixx_rtl *m, mixx_rtl_result *out)
{
    pthread_mutex_lock(&m->lock);
    if (!m->armed) {
        pthread_mutex_unlock(&m->lock);
        return 0;
    }
    uint64_t w = atomic_load_explicit(&m->written, memory_order_acquire);
    /* the pages the audio thread writes next were last written one lap ago (~2.7 s at 48 kHz): read them now,
     * so its first store into each is not a ~10 us miss (docs/performance.md, "page faults") */
    mixx__touch_ahead(m->ring, (size_t)m->ring_size * sizeof *m->ring, (size_t)(w & m->ring_mask) * sizeof *m->ring,
                      RTL_WARM_PAGES);
    /* and the stimuli it reads, each once every four bursts (seconds apart): a few reads per tick keep them hot */
    for (int q = 0; q < RTL_NSEQ; q++)
        mixx__touch_ahead(m->stim[q], (size_t)m->L * sizeof(float), 0,
                          (unsigned)(((size_t)m->L * sizeof(float) + mixx__page_size() - 1) / mixx__page_size()));
    uint64_t skipped = atomic_load_explicit(&m->skipped_until, memory_order_relaxed);
    if (skipped > m->next * m->cycle) {
        /* we fell behind and the audio thread could not record everything: drop the windows it hit */
        uint64_t first_clean = (skipped + m->cycle - 1) / m->cycle;
        m->lost += first_clean - m->next;
        if (m->acc_n) /* an integration under way: the lost windows count against its time limit */
            m->acc_total += (unsigned)(first_clean - m->next);
        debugf(m, "monitor too late: dropped %llu measurements", (unsigned long long)(first_clean - m->next));
        m->next = first_clean;
        atomic_store_explicit(&m->consumed, m->next * m->cycle, memory_order_release);
    }
    uint64_t start = m->next * m->cycle;
    if (w < start + m->cycle) {
        pthread_mutex_unlock(&m->lock);
        return 0;
    }
    for (uint32_t t = 0; t < m->cycle; t++)
        m->win[t] = m->ring[(start + t) & m->ring_mask];
    uint64_t burst = m->next++;
    /* the audio thread may reuse this window's slots now */
    atomic_store_explicit(&m->consumed, m->next * m->cycle, memory_order_release);

    mixx_rtl_result r;
    memset(&r, 0, sizeof r);
    r.expected_rtl_frames = m->expected;
    double sigma;
    if (m->method == MIXX_RTL_IMPULSE) {
        analyse_impulse(m, &r, &sigma);
        r.integration_s = (double)m->cycle / (double)m->rate;
    } else {
        double est;
        analyse_multitone(m, burst, &r, &sigma, &est);
        if (!integrate(m, &r, est, &sigma)) {
            pthread_mutex_unlock(&m->lock);
            return 2;
        }
    }
    if (r.status == MIXX_RTL_OK) {
        r.excess_frames = isfinite(m->expected) ? r.rtl_frames - m->expected : NAN;
        /* a jump against the previous good measurement, beyond what both uncertainties explain */
        if (m->have_prev) {
            double jump = fabs(r.rtl_frames - m->prev_frames);
            double tol = 8.0 * sqrt(sigma * sigma + m->prev_sigma * m->prev_sigma);
            if (jump > RTL_SLIP_MIN && jump > tol) {
                r.slip = 1;
                m->slips++;
                debugf(m, "slip: %.3f -> %.3f frames", m->prev_frames, r.rtl_frames);
            }
        }
        m->have_prev = 1;
        m->prev_frames = r.rtl_frames;
        m->prev_sigma = sigma;
    } else {
        r.excess_frames = NAN;
    }
    r.rtl_ms = NAN;
    uint64_t ns = atomic_load_explicit(&m->burst_ns[burst & 7], memory_order_relaxed);
    r.t_s = (double)ns * 1e-9;
    r.seq = m->seq++;
    pthread_mutex_unlock(&m->lock);
    *out = r;
    return 1;
}
