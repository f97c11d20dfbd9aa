package dev.jlens.server;

import dev.jlens.Fixtures;
import dev.jlens.experiment.Experiment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job line's bounds: what waits, what a cancel lets go of, what finished jobs keep. */
class JobsTest {
    static final String SWEEP = "{\"prompts\": [\"When John and Mary went to the shops, John gave the bag to\"], \"answers\": [[\" Mary\", \" John\"]],"
            + " \"corrupted_prompts\": [\"When John and Mary went to the shops, Mary gave the bag to\"], \"patching\": [\"resid_pre\"]}";
    static final String PLAIN = "{\"prompts\": [\"1 2 3 4\"], \"answers\": [[\" 5\", \" 6\"]]}";

    /** Holds the worker at its first patching run until released, so that a line forms behind it. */
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch holding = new CountDownLatch(1);
    Jobs jobs;

    Jobs jobs(long keptBytes) {
        jobs = new Jobs(Fixtures.model("a"), "tiny-gpt2-a", (done, total) -> {
            holding.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, keptBytes, new ServerLog(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));
        return jobs;
    }

    @AfterEach
    void close() {
        release.countDown();
        if (jobs != null) jobs.close();
    }

    static Experiment experiment(String json) {
        return Experiment.parse("request", json);
    }

    Job holdTheWorker() throws InterruptedException {
        Job running = jobs.submit(experiment(SWEEP), SWEEP);
        assertThat(holding.await(60, TimeUnit.SECONDS)).as("the first job reached its sweep").isTrue();
        assertThat(running.state()).isEqualTo(Job.State.RUNNING);
        return running;
    }

    @Test
    void aFullLineRefusesTheNextJobAtOnce() throws Exception {
        jobs(1L << 30);
        holdTheWorker();
        for (int i = 0; i < Jobs.MAX_QUEUED; i++) jobs.submit(experiment(PLAIN), PLAIN);
        assertThat(jobs.waiting()).isEqualTo(Jobs.MAX_QUEUED);
        assertThatThrownBy(() -> jobs.submit(experiment(PLAIN), PLAIN)).isInstanceOf(Jobs.Busy.class)
                .hasMessage("the server has 8 analyses waiting; wait for one to finish or cancel one");
    }

    /**
     * A storm of submit-and-cancel while one job runs: each cancelled job leaves the line at once and its request
     * (the parsed experiment, the request's text) can be collected; the jobs known stay bounded.
     */
    @Test
    void aCancelledWaitingJobLeavesTheLineAndLetsGoOfItsRequest() throws Exception {
        jobs(1L << 30);
        holdTheWorker();
        List<WeakReference<Experiment>> dropped = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Experiment e = experiment(PLAIN);
            Job job = jobs.submit(e, PLAIN);
            if (i % 50 == 0) dropped.add(new WeakReference<>(e));
            jobs.cancel(job);
            assertThat(job.state()).isEqualTo(Job.State.CANCELLED);
            assertThat(jobs.waiting()).isZero();
        }
        assertThat(jobs.known()).isLessThanOrEqualTo(Jobs.KEPT + 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (dropped.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(dropped).as("the cancelled jobs' experiments were collected").allMatch(r -> r.get() == null);
        // the line takes a full load again
        for (int i = 0; i < Jobs.MAX_QUEUED; i++) jobs.submit(experiment(PLAIN), PLAIN);
        assertThat(jobs.waiting()).isEqualTo(Jobs.MAX_QUEUED);
    }

    /** Finished jobs are kept up to a count, and up to a total size of their answers; the newest always. */
    @Test
    void finishedJobsAreKeptUpToACountAndASize() throws Exception {
        jobs(1L << 30);
        release.countDown();
        List<Job> all = new ArrayList<>();
        for (int i = 0; i < Jobs.KEPT + 8; i++) {
            all.add(jobs.submit(experiment(PLAIN), PLAIN));
            awaitFinished(all.getLast());
        }
        assertKnownBecomes(Jobs.KEPT);
        assertThat(jobs.get(all.getFirst().id)).isNull();
        assertThat(jobs.get(all.getLast().id)).isSameAs(all.getLast());
        long one = all.getLast().keptBytes();
        assertThat(one).isGreaterThan(1000);
        jobs.close();

        // room for two answers: only the two newest are kept
        jobs(2 * one + one / 2);
        List<Job> few = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            few.add(jobs.submit(experiment(PLAIN), PLAIN));
            awaitFinished(few.getLast());
        }
        assertThat(few.getLast().state()).isEqualTo(Job.State.DONE);
        assertKnownBecomes(2);
        assertThat(jobs.get(few.get(3).id)).isNotNull();
        assertThat(jobs.get(few.get(2).id)).isNotNull();
        jobs.close();

        // room for none: the newest is kept all the same, so that its client can fetch it
        jobs(1);
        Job alone = jobs.submit(experiment(PLAIN), PLAIN);
        awaitFinished(alone);
        Job last = jobs.submit(experiment(PLAIN), PLAIN);
        awaitFinished(last);
        assertKnownBecomes(1);
        assertThat(jobs.get(last.id)).isSameAs(last);
    }

    private static void awaitFinished(Job job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!job.finished() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(job.finished()).as("job finished in time").isTrue();
    }

    /** The worker forgets old jobs right after it finishes one: waits for that. */
    private void assertKnownBecomes(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (jobs.known() != expected && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(jobs.known()).isEqualTo(expected);
    }
}
