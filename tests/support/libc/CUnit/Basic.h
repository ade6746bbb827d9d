/* CUnit/Basic.h for builds without CUnit: see tests/support/minitest.h. */
#include "../../minitest.h"
