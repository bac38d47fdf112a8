package ganfactor.studio;

import ganfactor.InputException;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The studio's one engine thread and what runs on it. Everything that touches LibTorch goes
 * through here: short work with {@link #onWorker} (the caller waits), long work as a {@link Job}
 * with {@link #startJob} (the caller gets the job and follows it with {@link #job}). Only one
 * thing uses the engine at a time: while a job runs, any other engine request is answered "busy"
 * (HTTP 409) at once. A watchdog cancels a running job nobody has asked about for the heartbeat
 * timeout (the tab was closed). The job table keeps the last 64 jobs.
 */
final class Jobs implements AutoCloseable {
    /** Long engine work: runs on the worker with its job (cancellation token, progress) and returns the job's result. */
    interface Work {
        Map<String, Object> run(Job job);
    }

    private static final int KEPT = 64;

    private final long heartbeatMillis;
    private final ErrorLog errors;
    private final AtomicLong ids;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ganfactor-studio-engine");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ganfactor-studio-watchdog");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, Job> jobs = new ConcurrentHashMap<>();
    private final Object submitLock = new Object();
    private volatile Job running;

    /**
     * Starts the worker and the watchdog. Job ids come from {@code ids} (the sequence the uploads
     * share); a job that fails for an internal reason is recorded in {@code errors}.
     */
    Jobs(long heartbeatMillis, ErrorLog errors, AtomicLong ids) {
        this.heartbeatMillis = heartbeatMillis;
        this.errors = errors;
        this.ids = ids;
        long beat = Math.max(100, heartbeatMillis / 4);
        watchdog.scheduleAtFixedRate(this::checkHeartbeat, beat, beat, TimeUnit.MILLISECONDS);
    }

    /** Runs engine work on the worker thread and waits; 409 while a job runs. */
    <T> T onWorker(Callable<T> c) {
        Future<T> f;
        synchronized (submitLock) {
            Job r = running();
            if (r != null) throw StudioException.busy("busy: " + r.kind() + " job " + r.id() + " is running; cancel it or wait");
            f = worker.submit(c);
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StudioException(503, "interrupted");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error er) throw er;
            throw new StudioException(500, t.getClass().getSimpleName() + ": " + Studio.message(t));
        }
    }

    /** Starts {@code work} as a job of {@code kind} on the worker (409 while one runs); returns the job as JSON. */
    Map<String, Object> startJob(String kind, Work work) {
        synchronized (submitLock) {
            Job r = running;
            if (r != null && r.state() == Job.State.RUNNING)
                throw StudioException.busy("busy: " + r.kind() + " job " + r.id() + " is running (" + Math.round(100 * (double) r.describe().get("fraction")) + "%); cancel it or wait");
            Job job = new Job(ids.incrementAndGet(), kind);
            jobs.put(job.id(), job);
            running = job;
            worker.submit(() -> {
                try {
                    job.finish(work.run(job));
                } catch (CancellationException e) {
                    job.fail(Job.State.CANCELLED, "cancelled after " + job.passesDone() + " Jacobian passes; nothing changed");
                } catch (StudioException | InputException e) {
                    job.fail(Job.State.FAILED, Studio.message(e));
                } catch (Throwable e) {
                    String hint = errors.record("job " + job.id() + " (" + kind + ")", e);
                    job.fail(Job.State.FAILED, e.getClass().getSimpleName() + ": " + Studio.message(e) + hint);
                }
            });
            trim();
            return job.describe();
        }
    }

    /** Forgets the oldest job once the table holds more than {@value #KEPT}, unless it still runs. */
    private void trim() {
        if (jobs.size() <= KEPT) return;
        long oldest = jobs.keySet().stream().mapToLong(Long::longValue).min().orElse(0);
        Job j = jobs.get(oldest);
        if (j != null && j.state() != Job.State.RUNNING) jobs.remove(oldest);
    }

    /** A job's trace (Chrome trace-event JSON) so far. */
    String trace(long id) {
        return known(id).traceJson();
    }

    /** A job's state; asking counts as the client's heartbeat. */
    Map<String, Object> job(long id) {
        Job j = known(id);
        j.seen();
        return j.describe();
    }

    /** Asks a job to stop at its next check, for {@code reason}; returns its state. */
    Map<String, Object> cancel(long id, String reason) {
        Job j = known(id);
        j.cancel(reason);
        return j.describe();
    }

    private Job known(long id) {
        Job j = jobs.get(id);
        if (j == null) throw new StudioException(404, "no job " + id);
        return j;
    }

    /** The running job, or null. */
    Job running() {
        Job r = running;
        return r != null && r.state() == Job.State.RUNNING ? r : null;
    }

    private void checkHeartbeat() {
        Job r = running();
        if (r != null && r.millisSinceSeen() > heartbeatMillis)
            r.cancel("no page asked about the job for " + heartbeatMillis + " ms: the tab was closed");
    }

    /** Cancels any running job and stops the threads, waiting up to 30 s for the worker to finish its unit. */
    @Override
    public void close() {
        Job r = running();
        if (r != null) r.cancel("the studio is shutting down");
        watchdog.shutdownNow();
        worker.shutdown();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
