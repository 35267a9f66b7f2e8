/*
 * A dynamically linked glibc program that dlopens a library from the image by its path,
 * calls into it, checks that a missing library is reported as missing, and says what
 * it saw.
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/opt/plugin/libplugin.so";
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        printf("dlopen %s: %s\n", path, dlerror());
        return 1;
    }
    int (*square)(int) = (int (*)(int))dlsym(h, "plugin_square");
    const char *(*name)(void) = (const char *(*)(void))dlsym(h, "plugin_name");
    if (!square || !name) {
        printf("dlsym: %s\n", dlerror());
        return 1;
    }
    printf("%s: square(12) = %d\n", name(), square(12));
    void *missing = dlopen("libnot-there.so", RTLD_NOW);
    printf("a missing library: %s\n", missing ? "loaded?" : "not found, as expected");
    return dlclose(h);
}
