package dev.jlens.server;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Host check against DNS rebinding holds on every address the server listens on. The servers here listen on all
 * addresses (0.0.0.0, as {@code --host 0.0.0.0} does) for the length of one test; the requests go to 127.0.0.1.
 */
class HostCheckTest {
    /** A rebinding page's request: its own name in Host, sent to this server's port. */
    @Test
    void onAllAddressesAForeignHostIsStillRefused() throws Exception {
        try (JlensServer server = JlensServer.builder(Fixtures.model("a")).host("0.0.0.0").port(0).start()) {
            String rebinding = get(server, "attacker.example:" + server.port());
            assertThat(rebinding).startsWith("HTTP/1.1 403").contains("not attacker.example:" + server.port())
                    .contains("start it with --allow-host NAME");
            assertThat(get(server, "attacker.example")).startsWith("HTTP/1.1 403");
            assertThat(get(server, "localhost.attacker.example")).startsWith("HTTP/1.1 403");
            assertThat(get(server, "")).matches("(?s)HTTP/1\\.1 40[03] .*");
            // names of this machine and address literals, as another machine's browser sends them
            assertThat(get(server, "127.0.0.1:" + server.port())).startsWith("HTTP/1.1 200");
            assertThat(get(server, "localhost")).startsWith("HTTP/1.1 200");
            assertThat(get(server, "192.168.1.5:" + server.port())).startsWith("HTTP/1.1 200");
            assertThat(get(server, "[fe80::1]:" + server.port())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void namesGivenWithAllowHostAreServed() throws Exception {
        try (JlensServer server = JlensServer.builder(Fixtures.model("a")).host("0.0.0.0").port(0)
                .allowHosts(List.of("jlens.lab.example", "Box7")).start()) {
            assertThat(get(server, "jlens.lab.example:" + server.port())).startsWith("HTTP/1.1 200");
            assertThat(get(server, "JLENS.LAB.EXAMPLE.")).startsWith("HTTP/1.1 200");
            assertThat(get(server, "box7:" + server.port())).startsWith("HTTP/1.1 200");
            assertThat(get(server, "lab.example")).startsWith("HTTP/1.1 403")
                    .contains("this server answers requests for localhost, 127.0.0.1, [::1], jlens.lab.example, box7 and its addresses only, not lab.example");
        }
        // on loopback too: an allowed name, and the loopback names, and nothing else (no address literals)
        try (JlensServer server = JlensServer.builder(Fixtures.model("a")).port(0).allowHosts(List.of("jlens.lab.example")).start()) {
            assertThat(get(server, "jlens.lab.example:" + server.port())).startsWith("HTTP/1.1 200");
            assertThat(get(server, "localhost:" + server.port())).startsWith("HTTP/1.1 200");
            assertThat(get(server, "192.168.1.5:" + server.port())).startsWith("HTTP/1.1 403");
        }
    }

    @Test
    void theOriginCheckHoldsOnAllAddresses() throws Exception {
        try (JlensServer server = JlensServer.builder(Fixtures.model("a")).host("0.0.0.0").port(0).start()) {
            String host = "192.168.1.5:" + server.port();
            assertThat(request(server, "GET /api/model HTTP/1.1", "Host: " + host, "Origin: http://attacker.example")).startsWith("HTTP/1.1 403")
                    .contains("cross-origin requests are not allowed");
            assertThat(request(server, "GET /api/model HTTP/1.1", "Host: " + host, "Origin: http://" + host)).startsWith("HTTP/1.1 200");
        }
    }

    private static String get(JlensServer server, String host) throws IOException {
        return request(server, "GET /api/model HTTP/1.1", "Host: " + host);
    }

    private static String request(JlensServer server, String requestLine, String... headers) throws IOException {
        return ServerApiTest.rawRequest(server.port(), requestLine, headers);
    }
}
