// Measurements the embedded check makes about TapWalker's own work (meter.c): live heap bytes and
// their peak, stack depth, and instructions, each with the simulated board's share kept apart.
#include <stddef.h>
#include <stdint.h>

// Heap bytes live now and the most live since meter_heap_restart(), both without the blocks
// allocated while the simulator runs (between meter_simulator_enter and meter_simulator_leave) or
// while the input file is read (meter_input_enter and meter_input_leave); those count as the
// simulator's.
size_t meter_heap_live(void);
size_t meter_heap_peak(void);
void meter_heap_restart(void);
size_t meter_heap_simulator_live(void);

// A cap on TapWalker's live heap (0: none, the default): an allocation that would pass it calls
// `exceeded` with the bytes wanted, the bytes live and the cap, and fails if that returns.
void meter_heap_set_cap(size_t bytes, void (*exceeded)(size_t wanted, size_t live, size_t cap));
// Counts memory that the host takes from elsewhere but the chip from the heap (a task's stack)
// as live: 1 when it fits under the cap, 0 (nothing counted) when not. Undone by unreserve.
int meter_heap_reserve(size_t bytes);
void meter_heap_unreserve(size_t bytes);

// One task's own heap, for the virtual ESP32's figures of each kind of work
// (docs/memory-admission.md): meter_thread_begin starts measuring on the calling thread and
// returns a mark (nested up to 4 deep); meter_thread_end(mark) gives the most the thread's live
// heap stood above where it stood at the begin, not counting what a measurement nested inside
// held while it was open nor what it left allocated (the services' state, seen in the free heap).
// Counts the blocks the thread allocates, less those it frees; the simulator's blocks are left
// out as above.
int meter_thread_begin(void);
size_t meter_thread_end(int mark);

// Stack: fills the stack below the caller with a pattern; the depth is how far below the caller
// the pattern has been overwritten since.
void meter_stack_paint(void);
size_t meter_stack_depth(void);

// Calls into the simulated board are bracketed by these two.
void meter_simulator_enter(void);
void meter_simulator_leave(void);

// Reads of the input file are bracketed by these two: on the device the bitstream comes from the
// network, so the C library's file reading is counted apart from TapWalker's work.
void meter_input_enter(void);
void meter_input_leave(void);
uint64_t meter_input_instructions(void);
uint64_t meter_input_calls(void);

// Retired instructions (minstret) on RISC-V; 0 elsewhere.
uint64_t meter_instructions(void);
// Instructions retired inside the simulator so far, and the number of enter/leave pairs.
uint64_t meter_simulator_instructions(void);
uint64_t meter_simulator_calls(void);
// Instructions that one enter/leave pair itself costs outside the part it measures.
uint64_t meter_bracket_cost(void);

// A job measured under valgrind's callgrind (x86_64): counting starts from zero at
// meter_job_begin and is written out, named, at meter_job_end; the simulator's part is not counted.
// Elsewhere these do nothing.
void meter_job_begin(void);
void meter_job_end(const char *name);
