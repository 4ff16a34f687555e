import Foundation

extension CSV {
    /// Turns CSV whose records end in LF (PostgreSQL's `COPY … (FORMAT csv)`) into CSV whose
    /// records end in CRLF, as RFC 4180 asks, chunk by chunk: an LF inside a quoted field is
    /// data and stays as it is. Counts the records it has ended, for progress.
    public struct RecordEnds: Sendable {
        private var inQuotes = false
        /// Whether the byte before this chunk was a CR (a CRLF split between chunks).
        private var afterCR = false
        public private(set) var records = 0

        public init() {}

        public mutating func convert(_ chunk: Data) -> Data {
            var out = Data()
            out.reserveCapacity(chunk.count + chunk.count / 32)
            var start = chunk.startIndex
            for index in chunk.indices {
                switch chunk[index] {
                case 0x22:
                    // A doubled quote inside a field toggles twice: still inside.
                    inQuotes.toggle()
                case 0x0A where !inQuotes:
                    let ended = index == chunk.startIndex ? afterCR : chunk[index - 1] == 0x0D
                    if !ended {
                        out.append(chunk[start..<index])
                        out.append(contentsOf: [0x0D, 0x0A])
                        start = index + 1
                    }
                    records += 1
                default:
                    break
                }
            }
            out.append(chunk[start...])
            if let last = chunk.last { afterCR = last == 0x0D }
            return out
        }
    }
}
