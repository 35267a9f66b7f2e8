/* The hypercall numbers the raw guests use, for assembly, where abi.h's enum cannot be
 * read. tests/tools/cwi_raw_guest.c checks each against abi.h at compile time. */
#define HG_HC_EXIT  1
#define HG_HC_MARK  10
#define HG_HC_SLEEP 9
