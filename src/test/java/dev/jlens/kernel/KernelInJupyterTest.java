package dev.jlens.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernel under Jupyter's own client (Debian's jupyter_client, over ZeroMQ): a running cell is interrupted
 * through an interrupt_request and the kernel answers the next cell; a restart gives a fresh kernel that answers.
 */
@dev.jlens.testing.JupyterTest
class KernelInJupyterTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    /** Drives the kernel and prints one line per step for the test to check. */
    static final String CLIENT = """
            import sys, time
            from jupyter_client.manager import start_new_kernel

            def result(kc, code):
                shown = []
                def hook(m):
                    if m['msg_type'] == 'execute_result':
                        shown.append(m['content']['data']['text/plain'])
                reply = kc.execute_interactive(code, timeout=300, output_hook=hook)
                return reply['content']['status'], ''.join(shown)

            km, kc = start_new_kernel(kernel_name='jlens', startup_timeout=600)
            try:
                print('FIRST', *result(kc, 'int answer = 42;\\nanswer'), flush=True)
                msg_id = kc.execute('for (long i = 0; ; i++) { }')
                while True:  # the kernel took the cell
                    m = kc.get_iopub_msg(timeout=300)
                    if m['parent_header'].get('msg_id') == msg_id and m['msg_type'] == 'execute_input':
                        break
                time.sleep(2)
                km.interrupt_kernel()
                while True:
                    reply = kc.get_shell_msg(timeout=300)
                    if reply['parent_header'].get('msg_id') == msg_id:
                        break
                print('LOOP', reply['content']['status'], reply['content'].get('evalue', ''), flush=True)
                print('AFTER', *result(kc, 'answer + 1'), flush=True)
                km.restart_kernel(now=False)
                kc.wait_for_ready(timeout=600)
                print('RESTARTED', *result(kc, 'List.of(1, 2, 3).size()'), flush=True)
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=False)
            """;

    @Test
    void anInterruptStopsALongCellTheNextCellRunsAndARestartGivesAFreshKernel(@TempDir Path dir) throws Exception {
        Path kernels = KernelSpec.prefixKernels(dir.resolve("prefix"));
        KernelSpec.install(kernels);
        Path script = Files.writeString(dir.resolve("client.py"), CLIENT);
        ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), script.toString());
        Map<String, String> env = pb.environment();
        env.put("JUPYTER_PATH", kernels.getParent().toString());
        env.put("JUPYTER_DATA_DIR", dir.resolve("data").toString());
        env.put("JUPYTER_CONFIG_DIR", dir.resolve("config").toString());
        env.put("JUPYTER_RUNTIME_DIR", dir.resolve("runtime").toString());
        Path log = dir.resolve("client.log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the client did not finish in 20 minutes; its log:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().filter(l -> l.matches("(FIRST|LOOP|AFTER|RESTARTED) .*")).toList();
        assertThat(lines).as(out).containsExactly(
                "FIRST ok 42",
                "LOOP error the cell was interrupted",
                "AFTER ok 43",
                "RESTARTED ok 3");
    }

}
