/* consumer.c: an outside program using the installed library through the façade of the original plan. */
#include <mixxengine.h>
#include <stdio.h>

int main(void)
{
    int rc = mixx_engine_init(48000, 64);
    if (rc == 0)
        rc = mixx_engine_start();
    if (rc == 0)
        rc = mixx_engine_stop();
    if (rc == 0)
        rc = mixx_engine_shutdown();
    printf("mixx %s: %s\n", mixx_version_string(), mixx_strerror(rc));
    return rc == 0 ? 0 : 1;
}
