import Dispatch

extension Duration {
    /// The duration as a dispatch interval (microsecond resolution, never negative), for the
    /// owner's queue timers.
    var dispatchInterval: DispatchTimeInterval {
        let microseconds = components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
        return .microseconds(Int(clamping: max(microseconds, 0)))
    }
}
