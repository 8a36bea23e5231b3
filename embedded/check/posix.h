// The POSIX calls the embedded end-to-end check needs (Embedded Swift has no Glibc module).
#include <stdio.h>
#include <stdlib.h>
