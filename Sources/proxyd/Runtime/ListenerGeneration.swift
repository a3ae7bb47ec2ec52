import NIOConcurrencyHelpers
import NIOCore
import TLSTerm

/// What a listener's connections are accepted with under one configuration: routing and
/// timeouts (``ListenerContext``), the TLS context, and the backends per event loop.
///
/// A connection captures the generation current when it is accepted and keeps it until it
/// closes. A reload that changes anything a listener uses makes a new generation and retires
/// the old one (see ``LoopLocalState``); an unchanged listener keeps its generation.
final class ListenerGeneration: Sendable {
    let context: ListenerContext
    let tls: TLSServerContext?
    /// By `ObjectIdentifier` of the event loop.
    let loops: [ObjectIdentifier: LoopLocalState]

    init(context: ListenerContext, tls: TLSServerContext?, loops: [ObjectIdentifier: LoopLocalState]) {
        self.context = context
        self.tls = tls
        self.loops = loops
    }

    var name: String { context.configuration.name }

    /// Tells every connection of this generation to close after its current or next exchange.
    func retire() {
        for state in loops.values {
            state.eventLoop.execute { state.retire() }
        }
    }
}

/// One bind address of the running proxy: its listening socket, kept across reloads for as
/// long as the address stays in the configuration, and the generation new connections get.
///
/// The child channel initializer reads `generation` under its lock on every accept, so a
/// reload swaps what new connections get without touching the socket.
final class ListenerSlot: Sendable {
    let bind: BindAddress
    let generation: NIOLockedValueBox<ListenerGeneration>
    private let boundChannel = NIOLockedValueBox<(any Channel)?>(nil)

    init(bind: BindAddress, generation: ListenerGeneration) {
        self.bind = bind
        self.generation = NIOLockedValueBox(generation)
    }

    var current: ListenerGeneration { generation.withLockedValue { $0 } }

    var channel: (any Channel)? {
        get { boundChannel.withLockedValue { $0 } }
        set { boundChannel.withLockedValue { $0 = newValue } }
    }

    /// Makes `next` the generation of new connections and returns the one it replaced.
    func swap(to next: ListenerGeneration) -> ListenerGeneration {
        generation.withLockedValue { current in
            defer { current = next }
            return current
        }
    }
}
