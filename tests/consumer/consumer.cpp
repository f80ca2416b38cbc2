// consumer.cpp: the public header compiles as C++ (extern "C") and links from C++ with hosted processing.
#include <mixxengine.h>
#include <mixxengine/dsp.h>

#include <cstdio>
#include <vector>

int main()
{
    mixx_config cfg;
    mixx_config_init(&cfg, sizeof cfg);
    cfg.backend = MIXX_BACKEND_HOSTED;
    mixx_engine *e = nullptr;
    if (mixx_engine_create(&cfg, &e) != MIXX_OK || mixx_engine_start_handle(e) != MIXX_OK)
        return 1;
    std::vector<float> a(64, 0.5f), b(64, -0.5f);
    float *io[2] = {a.data(), b.data()};
    int rc = mixx_engine_process(e, io, 2, io, 2, 64); // in and out the same memory, as JUCE does
    mixx_engine_destroy(e);
    std::printf("C++ consumer: %s\n", mixx_error_name(rc));
    return rc == MIXX_OK && a[10] == 0.5f ? 0 : 1;
}
