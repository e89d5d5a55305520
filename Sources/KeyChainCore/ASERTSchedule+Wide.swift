extension ASERTSchedule {
    /// An unsigned 320-bit number, five 64-bit limbs with the least significant first: wide
    /// enough for a 256-bit target times a factor below 2^17, with room to spare.
    struct Wide: Equatable {
        private var limbs: [UInt64]

        /// The number a target's 32 big-endian bytes make.
        init(_ value: Bytes32) {
            limbs = [value.w3, value.w2, value.w1, value.w0, 0]
        }

        /// Multiplies in place; the product of a 256-bit number and a 64-bit one always fits.
        mutating func multiply(by factor: UInt64) {
            var carry: UInt64 = 0
            for index in limbs.indices {
                let (high, low) = limbs[index].multipliedFullWidth(by: factor)
                let (sum, overflow) = low.addingReportingOverflow(carry)
                limbs[index] = sum
                carry = high &+ (overflow ? 1 : 0)
            }
        }

        /// Shifts toward zero by `count` bits (0-320).
        mutating func shiftRight(by count: Int) {
            let (words, bits) = (count / 64, count % 64)
            for index in limbs.indices {
                let source = index + words
                let low = source < limbs.count ? limbs[source] : 0
                let high = source + 1 < limbs.count ? limbs[source + 1] : 0
                limbs[index] = bits == 0 ? low : (low >> UInt64(bits)) | (high << UInt64(64 - bits))
            }
        }

        /// Shifts away from zero by `count` bits (0-320); false, leaving the number as it was,
        /// when a set bit would fall off the top.
        mutating func shiftLeft(by count: Int) -> Bool {
            let before = self
            let (words, bits) = (count / 64, count % 64)
            for index in limbs.indices.reversed() {
                let source = index - words
                let high = source >= 0 ? limbs[source] : 0
                let low = source - 1 >= 0 ? limbs[source - 1] : 0
                limbs[index] = bits == 0 ? high : (high << UInt64(bits)) | (low >> UInt64(64 - bits))
            }
            var back = self
            back.shiftRight(by: count)
            if back != before {
                self = before
                return false
            }
            return true
        }

        /// The number as 32 big-endian bytes, or nil when it needs more than 256 bits.
        var bytes32: Bytes32? {
            guard limbs[4] == 0 else { return nil }
            return Bytes32(w0: limbs[3], w1: limbs[2], w2: limbs[1], w3: limbs[0])
        }
    }
}
