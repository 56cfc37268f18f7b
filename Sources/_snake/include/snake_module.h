/* The _snake extension module has no public C API; SwiftPM wants a header folder. */
