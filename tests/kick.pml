/*
 * The ordering of vCPU requests and kicks (driver/src/kick.c, docs/api.md "vCPU requests
 * and kicks"): the Dekker pattern of vcpu-requests.rst. A requester posts N entries, each
 * followed by a request and, when the vCPU is in guest mode, a kick (IN_GUEST -> EXITING);
 * the vCPU takes its requests, consumes the entries, and enters guest mode, where it waits
 * for a kick. spin explores every interleaving of the sequentially consistent order the
 * fences give; a lost kick leaves the vCPU in guest mode forever: an invalid end state.
 * Every entry must be consumed exactly once.
 *
 * -DBROKEN swaps the vCPU's two accesses (it reads the requests before it writes its mode,
 * as a missing fence lets a CPU do): spin must then find the lost kick.
 */
#define N 3
#define OUTSIDE 0
#define IN_GUEST 1
#define EXITING 2

byte mode = OUTSIDE;
bit request = 0;
bit ipi = 0;
byte posted = 0;
byte consumed = 0;

active proctype requester()
{
    do
    :: posted < N ->
        posted++;                 /* the entry, then the request (release) */
        request = 1;
        atomic {                  /* fence, then the mode: kick at most once per entry */
            if
            :: mode == IN_GUEST -> mode = EXITING; ipi = 1
            :: else -> skip
            fi
        }
    :: else -> break
    od
}

active proctype vcpu()
{
    bit seen;
    do
    :: consumed == N -> break
    :: else ->
        atomic { if :: request -> request = 0; consumed = posted :: else -> skip fi };
        assert(consumed <= posted);
        if
        :: consumed == N -> break
        :: else -> skip
        fi;
#ifdef BROKEN
        seen = request;
        mode = IN_GUEST;
#else
        mode = IN_GUEST;          /* fence between the two */
        seen = request;
#endif
        if
        :: seen -> mode = OUTSIDE /* abort the entry: handle the request first */
        :: else ->
            ipi == 1;             /* guest mode: only a kick gets the vCPU out */
            ipi = 0;
            mode = OUTSIDE
        fi
    od;
    assert(consumed == N)
}
