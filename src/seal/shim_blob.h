/* The embedded shim image (shim_blob.S). */
#ifndef CLOISTER_SEAL_SHIM_BLOB_H
#define CLOISTER_SEAL_SHIM_BLOB_H

extern const unsigned char cl_shim_blob[], cl_shim_blob_end[];

#endif
