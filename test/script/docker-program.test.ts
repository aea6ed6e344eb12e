// The docker registry entry: the CLI's flag grammar, what is refused everywhere, and what
// the simulator refuses as not simulated (the kernel's real dockerd runs it).
import { describe, expect, it } from "vitest";
import { parseLine } from "../../src/script/parse.js";
import {
  dockerNotModelled,
  parseDockerArgs,
  refuseDocker,
} from "../../src/script/programs/docker.js";
import { imageOf } from "../../src/real/docker/docker-lines.js";

const words = (s: string) => s.split(" ");

describe("parseDockerArgs", () => {
  it("reads flags as pflag does and stops at the image for run", () => {
    const p = parseDockerArgs(
      words("run -dp 8080:80 --name=web --network n1 -p 127.0.0.1:81:81/udp nginx nc -lk -p 80"),
    )!;
    expect(p.sub).toBe("run");
    expect(p.flags.get("detach")).toEqual([""]);
    expect(p.flags.get("publish")).toEqual(["8080:80", "127.0.0.1:81:81/udp"]);
    expect(p.flags.get("name")).toEqual(["web"]);
    expect(p.flags.get("network")).toEqual(["n1"]);
    expect(p.operands).toEqual(["nginx", "nc", "-lk", "-p", "80"]);
  });

  it("knows two-word network subcommands and container aliases", () => {
    expect(parseDockerArgs(words("network create --subnet 10.9.0.0/30 small"))).toMatchObject({
      sub: "network create",
      operands: ["small"],
    });
    expect(parseDockerArgs(words("container rm -f web"))?.sub).toBe("rm");
    expect(parseDockerArgs(words("ps -a --format {{.Names}}"))?.flags.get("format")).toEqual([
      "{{.Names}}",
    ]);
  });

  it("notes an unknown flag or a missing value for the CLI to report", () => {
    expect(parseDockerArgs(words("ps --bogus"))?.unknownFlag).toBe("--bogus");
    expect(parseDockerArgs(words("network ls -x"))?.unknownFlag).toBe("-x");
    expect(parseDockerArgs(words("run --name"))?.missingValue).toBe("--name");
  });
});

describe("refuseDocker (both backends, before anything runs)", () => {
  it("accepts the subset the labs use", () => {
    for (const line of [
      "network create -d bridge --subnet 10.9.0.0/24 --gateway 10.9.0.1 --internal n1",
      "network connect --ip 10.9.0.5 n1 web",
      "run -d --rm --name web --network container:db -p 8080:80 --sysctl net.ipv4.ip_forward=1 nginx",
      "run --name t --cap-add NET_ADMIN alpine ip link",
      "exec web ip addr",
      "stop -t 1 web",
      "ps -a --format {{.Names}}",
      "inspect -f {{.NetworkSettings.IPAddress}} web",
      "images",
      "frobnicate", // docker's own error
      "ps --bogus", // docker's own error
    ]) {
      expect(refuseDocker(words(line)), line).toBeUndefined();
    }
  });

  it("refuses what would leave the sandbox's daemon, saying it does not run on the kernel either", () => {
    for (const [line, what] of [
      ["-H tcp://192.0.2.1:2375 ps", "docker -H"],
      ["pull nginx", "docker pull"],
      ["image pull nginx", "docker image pull"],
      ["cp web:/etc/hosts /tmp/x", "docker cp"],
      ["run -it --name t alpine", "docker run --interactive"],
      ["run -d --name t -v /etc:/host alpine", "docker run --volume"],
      ["run -d --name t --privileged alpine", "docker run --privileged"],
      ["run -d --name t --uts=host alpine", "docker run --uts"],
      ["run -d --name t --cap-add SYS_ADMIN alpine", "docker run --cap-add SYS_ADMIN"],
      ["run -d --name t --sysctl kernel.shmmax=1 alpine", "docker run --sysctl kernel.shmmax=1"],
      ["exec -it web sh", "docker exec --interactive"],
      ["swarm init", "docker swarm init"],
      ["system prune -f", "docker system prune"],
      ["container export web", "docker container export"],
    ]) {
      expect(refuseDocker(words(line!)), line).toMatch(
        new RegExp(
          `^${what!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not simulated and does not run on the kernel either: `,
        ),
      );
    }
  });

  it("needs --name for run and create", () => {
    expect(refuseDocker(words("run -d nginx"))).toMatch(/^docker run needs --name NAME/);
    expect(refuseDocker(words("create nginx"))).toMatch(/^docker create needs --name NAME/);
  });

  it("is the parser's check: a refused line never becomes a command", () => {
    expect(() => parseLine("docker run -d --name t -v /:/host alpine", 1)).toThrow(/--volume/);
    expect(() => parseLine("docker run -d --name t alpine &", 1)).toThrow(/background/);
    expect(parseLine("docker run -d --name web -p 8080:80 nginx", 1)?.program).toBe("docker");
  });
});

describe("dockerNotModelled (the simulator's refusal)", () => {
  it("names the subcommand or flag the simulator does not model", () => {
    expect(dockerNotModelled(words("run -d --name t --cap-add NET_ADMIN alpine"))).toBe(
      "docker run --cap-add",
    );
    expect(dockerNotModelled(words("run -d --name t -e A=1 alpine"))).toBe("docker run -e");
    expect(dockerNotModelled(words("network create -d macvlan m"))).toBe(
      "docker network create -d macvlan",
    );
    expect(dockerNotModelled(words("network create -o com.docker.network.driver.mtu=1400 m"))).toBe(
      "docker network create -o com.docker.network.driver.mtu",
    );
    expect(dockerNotModelled(words("logs web"))).toBe("docker logs");
    expect(dockerNotModelled(words("ps -q"))).toBe("docker ps -q");
  });

  it("models the subset issue #10 lists", () => {
    for (const line of [
      "run -d --rm --name web --network n1 -p 8080:80 --ip 10.0.0.5 -h h --sysctl net.ipv4.ip_forward=1 nginx sleep infinity",
      "network create -d bridge --subnet 10.9.0.0/24 --ip-range 10.9.0.128/25 --gateway 10.9.0.1 --internal -o com.docker.network.bridge.name=br9 n1",
      "network connect --ip 10.9.0.9 n1 web",
      "stop -t 1 web",
      "rm -f web",
      "ps -a --format {{.Names}}",
      "network inspect --format {{.Id}} n1",
    ]) {
      expect(dockerNotModelled(words(line)), line).toBeUndefined();
    }
  });
});

describe("imageOf (the kernel tags the names a script uses)", () => {
  it("is the first operand of run and create", () => {
    expect(imageOf(words("run -d --name web -p 8080:80 nginx:1.25 nc -lk 80"))).toBe("nginx:1.25");
    expect(imageOf(words("create --name web alpine"))).toBe("alpine");
    expect(imageOf(words("exec web ip addr"))).toBeUndefined();
    expect(imageOf(words("run -d --name web nginx@sha256:abc"))).toBeUndefined();
  });
});
