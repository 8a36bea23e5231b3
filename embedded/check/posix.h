// The C the embedded end-to-end check calls (Embedded Swift has no Glibc module): stdio, and the
// meters of meter.c.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "meter.h"
