/* SPDX-License-Identifier: MIT */
// consumer.cpp: the public header compiles as C++ (extern "C") and links from C++ with hosted processing.
#include <mixxengine.h>
#include <mixxengine/dsp.h>
#include <mixxengine_params.h>

#include <cstdio>
#include <vector>

int main()
{
    mixx_config cfg;
    mixx_config_init(&cfg, sizeof cfg);
    cfg.backend = MIXX_BACKEND_HOSTED;
    mixx_engine *e = nullptr;
    if (mixx_engine_create(&cfg, &e) != MIXX_OK || mixx_engine_start_stream(e) != MIXX_OK)
        return 1;
    std::vector<float> a(64, 0.5f), b(64, -0.5f);
    float *io[2] = {a.data(), b.data()};
    int rc = mixx_engine_process(e, io, 2, io, 2, 64); // in and out the same memory, as JUCE does
    uint32_t id = 0;
    int prc = mixx_param_find(e, "master.gain_db", &id); // the second public header, installed beside the first
    mixx_engine_destroy(e);
    std::printf("C++ consumer: %s, %u parameters header ok: %s\n", mixx_error_name(rc), MIXX_PARAM_MAX,
                mixx_error_name(prc));
    return rc == MIXX_OK && prc == MIXX_OK && id == 1 && a[10] == 0.5f ? 0 : 1;
}
