/* A library the dlopen test loads at run time from the image. */
#include <stdio.h>

int plugin_square(int x)
{
    return x * x;
}

const char *plugin_name(void)
{
    return "plugin v1";
}
