// Byte-stride pointer arithmetic: NumPy strides are in bytes and may be
// zero or negative, so element pointers are always derived through these.

extension UnsafePointer {
    @inline(__always) func advanced(bytes: Int) -> UnsafePointer {
        UnsafeRawPointer(self).advanced(by: bytes).assumingMemoryBound(to: Pointee.self)
    }
    @inline(__always) func at(_ i: Int, step: Int) -> Pointee { advanced(bytes: i &* step).pointee }
}

extension UnsafeMutablePointer {
    @inline(__always) func advanced(bytes: Int) -> UnsafeMutablePointer {
        UnsafeMutableRawPointer(self).advanced(by: bytes).assumingMemoryBound(to: Pointee.self)
    }
}

/// True when a byte step means "next element": the contiguous SIMD path applies.
@inline(__always) func isUnit<T>(_ step: Int, _: T.Type) -> Bool { step == MemoryLayout<T>.stride }
