#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SnakeABI
import Synchronization

/// A persistent pool of worker threads for the `_mt` kernels.
///
/// - Workers are started on first use. A call publishes the job by bumping an
///   atomic generation; the caller runs task 0, and it and the workers
///   claim the rest from an atomic counter until none is left; the caller
///   returns when every claimed task is done. A worker that wakes after the
///   caller has claimed the rest finds nothing to claim, so a call never
///   blocks on a thread that has not been scheduled (one that claims its
///   task late, or is preempted running it, still delays the call). No
///   thread is created per call.
/// - After a job a worker spins watching for the next one, then sleeps on a
///   condition variable: back-to-back calls (a Python loop over arrays) skip
///   the futex wake-up, which costs 40-60 µs on this kind of VM; once the
///   spin ends an idle pool costs no CPU. It spins as long as its last task
///   took, within `spinNanoseconds`: the caller's own task of a long job can
///   end later than the worker's by more than the floor (memory-bound halves
///   of a 1e7 row differed by over 0.2 ms), and a worker that had gone to
///   sleep by the next call started that call's task a wake-up late.
/// - One job at a time: a caller that finds the pool busy (another Python
///   thread is inside an `_mt` kernel) runs its job single-threaded instead of
///   waiting, so concurrent callers never deadlock or oversubscribe the CPUs.
/// - fork(): worker threads do not survive in the child. The pool remembers
///   the pid that built it; a child builds a fresh pool on its first `_mt`
///   call and never touches the parent's locks.
/// - Workers never touch Python, so interpreter shutdown with an idle pool
///   just ends the process.
final class ThreadPool {
    private let lock = ThreadPool.makeMutex()
    private let busy = ThreadPool.makeMutex()
    private let wake = ThreadPool.makeCond()
    private let generation = Atomic<Int>(0)
    /// The current job's task count (high 32 bits) and next unclaimed task
    /// (low 32 bits), in one word: a claim is one compare-and-swap, so it can
    /// only take a task of the job it read, never run one twice, and a
    /// worker that arrives after the job is exhausted claims nothing.
    private let claims = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    /// Floating-point exception flags raised on worker threads (flags are
    /// per thread; NumPy checks only the caller's): re-raised by the caller.
    private let workerFlags = Atomic<Int>(0)
    // Written before `claims` is published (release), read only by a thread
    // that claimed a task of this job (acquire), cleared once all finished.
    private var job: ((Int) -> Void)?
    private var workers = 0
    let pid = getpid()
    /// How long a worker watches for the next job: its last task's time,
    /// at least the lower bound, at most the upper one (bench/README.md).
    static let spinNanoseconds = 200_000...4_000_000

    /// Runs `body(0..<tasks)` on the calling thread and the workers. Returns
    /// false (running nothing) if the pool is busy; the caller then runs
    /// serially.
    func run(_ tasks: Int, _ body: (Int) -> Void) -> Bool {
        guard pthread_mutex_trylock(busy) == 0 else { return false }
        defer { pthread_mutex_unlock(busy) }
        ensureWorkers(tasks - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            finished.store(0, ordering: .relaxed)
            workerFlags.store(0, ordering: .relaxed)
            // Task 0 is the caller's own: with two threads a spinning worker
            // then always takes task 1, so repeated calls find each half of
            // the data in the cache of the core that used it last (claimed in
            // arrival order, the halves swapped cores at random: cache-sized
            // inputs ran slower on two threads than on one).
            claims.store(tasks << 32 | 1, ordering: .releasing)
            generation.add(1, ordering: .releasing)
            // Wake sleepers; spinning workers see the bump by themselves.
            pthread_mutex_lock(lock)
            pthread_cond_broadcast(wake)
            pthread_mutex_unlock(lock)

            body(0)
            finished.add(1, ordering: .releasing)
            claimTasks(onWorker: false)
            var spins = 0
            while finished.load(ordering: .acquiring) < tasks {
                spins &+= 1
                if spins > 2_000 { sched_yield() }
            }
            job = nil
            let flags = Int32(truncatingIfNeeded: workerFlags.load(ordering: .relaxed))
            if flags != 0 { raiseFPFlags(flags) }
        }
        return true
    }

    /// Runs tasks of the current job until none is left to claim. A worker
    /// hands the floating-point flags its task raised to the caller before
    /// it reports the task finished.
    private func claimTasks(onWorker: Bool) {
        var word = claims.load(ordering: .acquiring)
        while true {
            let tasks = word >> 32, next = word & 0xFFFF_FFFF
            guard next < tasks else { return }
            let (exchanged, current) = claims.compareExchange(
                expected: word, desired: word &+ 1, ordering: .acquiringAndReleasing)
            guard exchanged else { word = current; continue }
            runTask(next)
            if onWorker {
                let raised = testFPFlags(fpNumPyFlags)
                if raised != 0 {
                    workerFlags.bitwiseOr(Int(raised), ordering: .relaxed)
                    clearFPFlags(fpNumPyFlags)
                }
            }
            finished.add(1, ordering: .releasing)
            word = claims.load(ordering: .acquiring)
        }
    }

    private func ensureWorkers(_ count: Int) {
        while workers < count {
            workers += 1
            let context = Unmanaged.passRetained(WorkerContext(pool: self, generation: generation.load(ordering: .relaxed))).toOpaque()
            var attr = pthread_attr_t()
            pthread_attr_init(&attr)
            pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
            #if canImport(Darwin)
            var thread: pthread_t? = nil
            #else
            var thread = pthread_t()
            #endif
            let rc = pthread_create(&thread, &attr, { raw in
                #if canImport(Darwin)
                let ctx = Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue()
                #else
                let ctx = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                #endif
                ctx.pool.workerLoop(from: ctx.generation)
                return nil
            }, context)
            pthread_attr_destroy(&attr)
            if rc != 0 {
                // Could not start a thread: run with the workers we have.
                Unmanaged<WorkerContext>.fromOpaque(context).release()
                workers -= 1
                return
            }
        }
    }

    /// `seen` is the generation current when the worker was created (it may
    /// start running after the job that needed it was posted).
    private func workerLoop(from start: Int) {
        var seen = start
        var spin = ThreadPool.spinNanoseconds.lowerBound
        while true {
            var now = generation.load(ordering: .acquiring)
            if now == seen {
                let deadline = monotonicNanoseconds() &+ spin
                var spins = 0
                while now == seen {
                    spins &+= 1
                    if spins & 255 == 0 && monotonicNanoseconds() > deadline { break }
                    now = generation.load(ordering: .acquiring)
                }
            }
            if now == seen {
                pthread_mutex_lock(lock)
                while true {
                    now = generation.load(ordering: .acquiring)
                    if now != seen { break }
                    pthread_cond_wait(wake, lock)
                }
                pthread_mutex_unlock(lock)
            }
            seen = now
            clearFPFlags(fpNumPyFlags)  // nothing stale reaches the next caller
            let began = monotonicNanoseconds()
            claimTasks(onWorker: true)
            spin = ThreadPool.spinNanoseconds.clamped(monotonicNanoseconds() &- began)
        }
    }

    /// Calls the job in its own frame, so this thread's reference to the
    /// closure is gone before `finished` says the task is done: the caller's
    /// `withoutActuallyEscaping` checks that nothing kept it.
    @inline(never)
    private func runTask(_ index: Int) {
        job?(index)
    }

    private static func makeMutex() -> UnsafeMutablePointer<pthread_mutex_t> {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }

    private static func makeCond() -> UnsafeMutablePointer<pthread_cond_t> {
        let c = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        pthread_cond_init(c, nil)
        return c
    }
}

private extension ClosedRange<Int> {
    func clamped(_ value: Int) -> Int { Swift.min(Swift.max(value, lowerBound), upperBound) }
}

private func monotonicNanoseconds() -> Int {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return t.tv_sec &* 1_000_000_000 &+ t.tv_nsec
}

private final class WorkerContext {
    let pool: ThreadPool
    let generation: Int
    init(pool: ThreadPool, generation: Int) {
        self.pool = pool
        self.generation = generation
    }
}

// MARK: - The process-wide pool and thread count

// Guards creation of the shared pool. fork() holds it across the fork
// (pthread_atfork), so a child never inherits it locked.
private let poolLock: UnsafeMutablePointer<pthread_mutex_t> = {
    let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(m, nil)
    pthread_atfork({ pthread_mutex_lock(poolLock) },
                   { pthread_mutex_unlock(poolLock) },
                   { pthread_mutex_unlock(poolLock) })
    return m
}()
private var sharedPool: ThreadPool?

/// Threads `_mt` kernels may use; read without a lock (a stale value only
/// changes how a call is split, never its correctness).
@usableFromInline var snakeNumThreads: Int = min(availableCPUs(), 256)

/// The pool for this process, created on first use (again in a forked child).
func currentPool() -> ThreadPool {
    let me = getpid()
    pthread_mutex_lock(poolLock)
    defer { pthread_mutex_unlock(poolLock) }
    if let p = sharedPool, p.pid == me { return p }
    let p = ThreadPool()
    sharedPool = p
    return p
}

/// Runs `body(0..<tasks)` on the pool, or serially if it is busy.
public func parallelFor(_ tasks: Int, _ body: (Int) -> Void) {
    if tasks <= 1 || !currentPool().run(tasks, body) {
        for t in 0..<tasks { body(t) }
    }
}

/// How many tasks a job of `work` elements gets: at least `grain` elements
/// each, at most one per thread; 1 means run single-threaded.
@inlinable
public func taskCount(work: Int, grain: Int) -> Int {
    guard grain > 0, work >= 2 &* grain else { return 1 }
    return max(1, min(snakeNumThreads, work / grain))
}

/// Even split of 0..<n into `parts` ranges; part t is [start, end).
@inlinable
public func split(_ n: Int, _ parts: Int, _ t: Int) -> (start: Int, count: Int) {
    let base = n / parts, extra = n % parts
    let start = t &* base &+ min(t, extra)
    return (start, base &+ (t < extra ? 1 : 0))
}

func availableCPUs() -> Int { max(1, snake_available_cpus()) }

@c @implementation
public func snake_get_num_threads() -> Int { snakeNumThreads }

/// More threads than this are never started, whatever is asked for.
let maxThreads = 256

@c @implementation
public func snake_set_num_threads(_ n: Int) { snakeNumThreads = min(max(1, n), maxThreads) }
