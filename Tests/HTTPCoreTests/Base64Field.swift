import Foundation

extension String {
    /// Bytes of a base64 corpus field.
    var base64Bytes: [UInt8] { Data(base64Encoded: self).map { [UInt8]($0) } ?? [] }
}
