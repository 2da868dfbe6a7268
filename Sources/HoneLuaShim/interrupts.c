/* The process-wide interrupt counter of hone_interrupt. See HoneLuaShim.h. */
#include "HoneLuaShim.h"

static long interrupt_count = 0;

void hone_process_interrupt(void) {
    __atomic_add_fetch(&interrupt_count, 1, __ATOMIC_SEQ_CST);
}

long hone_process_interrupt_count(void) {
    return __atomic_load_n(&interrupt_count, __ATOMIC_SEQ_CST);
}
