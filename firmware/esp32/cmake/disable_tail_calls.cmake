# cmake -DIN=module.ll -DOUT=module.notail.ll -P disable_tail_calls.cmake
#
# The tail-call fence for Swift 6.3.1 on riscv32 (docs/compiler-bug.md): a method that
# `throws(E)` and returns its result through memory, and whose last action is a call, is
# compiled at -Osize/-O to a tail jump that never stores the result; the caller reads garbage.
# `-Xllvm -disable-tail-calls` does not reach that code path, but the per-function LLVM attribute
# "disable-tail-calls"="true" does. This script adds it to every attribute group of the module's
# textual IR and checks that every defined function carries an attribute group, so no function
# escapes the fence. The patched IR is then compiled with the Swift toolchain's own clang.
cmake_minimum_required(VERSION 3.16)
if(NOT IN OR NOT OUT)
    message(FATAL_ERROR "usage: cmake -DIN=module.ll -DOUT=out.ll -P disable_tail_calls.cmake")
endif()

file(READ "${IN}" ir)

# A function definition without an attribute group ("define ... {" with no #N) could not be
# fenced by editing the groups: refuse rather than build a firmware that may be miscompiled.
file(STRINGS "${IN}" defines REGEX "^define ")
set(unfenced 0)
foreach(line IN LISTS defines)
    if(NOT line MATCHES "\\) [^{]*#[0-9]+[^{]*{$" AND NOT line MATCHES " #[0-9]+ ")
        math(EXPR unfenced "${unfenced} + 1")
        if(unfenced LESS 4)
            message(WARNING "no attribute group: ${line}")
        endif()
    endif()
endforeach()
if(unfenced GREATER 0)
    message(FATAL_ERROR "${IN}: ${unfenced} function definition(s) without an attribute group; "
        "the tail-call fence cannot be applied to them")
endif()

# Drop any value already present, then put "disable-tail-calls"="true" first in every group.
string(REGEX REPLACE " \"disable-tail-calls\"=\"[a-z]*\"" "" ir "${ir}")
string(REGEX REPLACE "\nattributes #([0-9]+) = { " "\nattributes #\\1 = { \"disable-tail-calls\"=\"true\" " ir "${ir}")

list(LENGTH defines n_defines)
string(REGEX MATCHALL "\nattributes #[0-9]+ = { \"disable-tail-calls\"=\"true\"" fenced "${ir}")
list(LENGTH fenced n_groups)
file(WRITE "${OUT}" "${ir}")
message(STATUS "tail-call fence: ${n_defines} functions, ${n_groups} attribute groups fenced in ${OUT}")
