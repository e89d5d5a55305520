import CFuzzDriver
import Foundation

// libFuzzer's entry points (the custom mutator serves the `signature` target and hands every
// other to libFuzzer's own mutation), and `main`: SwiftPM links an executable's main under the
// target's name, so libFuzzer's own main is not used and this one hands over to its driver. One binary holds every target; KEYCHAIN_FUZZ_TARGET names the
// one to run (fuzz.sh sets it), read once. With KEYCHAIN_FUZZ_SEEDS=DIR the binary instead
// writes every target's seeds under DIR/TARGET/ and exits.

nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let environment = ProcessInfo.processInfo.environment
    if let directory = environment["KEYCHAIN_FUZZ_SEEDS"] {
        do {
            for target in FuzzTarget.allCases {
                let folder = (directory as NSString).appendingPathComponent(target.rawValue)
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for (number, seed) in try target.seeds().enumerated() {
                    try Data(seed).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("seed-\(number)")))
                }
            }
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("keychain-fuzz: writing seeds failed: \(error)\n".utf8))
            exit(1)
        }
    }
    guard let name = environment["KEYCHAIN_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("keychain-fuzz: set KEYCHAIN_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let target = selected else { return 0 }
    target.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzerCustomMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    guard let data else { return 0 }
    // Half the time the signature target mutates where the rule's edge cases are.
    if selected == .signature, seed % 2 == 0, size <= maxSize {
        var input = Array(UnsafeBufferPointer(start: data, count: size))
        if FuzzTarget.mutateSignatureInput(&input, seed: seed / 2) {
            input.withUnsafeBufferPointer { if let base = $0.baseAddress { data.update(from: base, count: size) } }
            return size
        }
    }
    return LLVMFuzzerMutate(data, size, maxSize)
}

@_cdecl("keychain_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzerTestOneInput(data, size) }
}
