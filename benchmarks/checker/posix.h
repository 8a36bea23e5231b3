// The C calls the checker benchmark needs (Embedded Swift has no Glibc module).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
