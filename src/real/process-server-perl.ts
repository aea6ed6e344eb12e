// The sandbox's process server, in Perl: Node forks its whole process for every child
// (page tables of a large heap, then exec), which made a lab line cost about twice what
// bash pays for the same `ip` command. This small server forks from a small process.
// It uses only modules of perl-base, which Debian and Ubuntu mark Essential; where perl
// is missing, the init's own (Node) spawn runs the lines instead.
//
// The init starts it with a socket packetwalk holds the other end of (passed through
// unshare as fd 3) as its stdin and stdout, so packetwalk talks to it directly: a line
// costs one fork+exec here and one round trip on the socket. It runs argument vectors
// with `exec BLOCK LIST`, which never involves a shell. Wire format, both ways,
// binary-safe: a header line "OP ID LEN\n" followed by LEN bytes.
//   to it:   run ID  MODE\0ARG0\0ARG1...   MODE n: stdin /dev/null; p: stdin a pipe;
//                                          b: all three /dev/null (a background job)
//            in ID   bytes for the child's stdin          eof ID: close its stdin
//            kill ID  (SIGKILL to the child's process group: its time is up)
//            ready ID  (answered with ready ID: the server runs)
//            seq ID  MODE\0ARG0...  like run, but in turn: it starts once every earlier seq
//                                  line has exited and closed its output (or was killed),
//                                  so packetwalk can send a script's next lines ahead and
//                                  the server starts each the moment the one before ends
//   from it: spawned ID  PID (a background job only)   failed ID  ERRNO (exec or fork failed)
//            out ID / err ID  bytes the child wrote
//            exit ID  CODE:SIGNAL (one of them empty)
//            closed ID  (nothing: its stdout and stderr reached EOF)
// Every child gets its own session (setsid), as Node's `detached` does, so a process
// group kill reaches what it started. The server exits when its stdin reaches EOF
// (packetwalk closed the sandbox or died); the sandbox's end kills it anyway.
// Its first argument is the fd it inherited the socket as (besides stdin and stdout): it
// closes that one, so that no lab command inherits the socket.
export const PROCESS_SERVER_NAME = "packetwalk-server";

export const PROCESS_SERVER_PERL = String.raw`
use strict;
use warnings;
no warnings 'exec'; # the line after exec reports its failure
use POSIX ();
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);

POSIX::close($ARGV[0]) if defined $ARGV[0] && $ARGV[0] =~ /^\d+$/ && $ARGV[0] > 2;
$0 = 'packetwalk-server'; # what ps in a lab shows, rather than this whole script
# Handled, not ignored: an ignored signal stays so across exec, a handled one does not, so
# the programs get the default without a word between fork and exec.
$SIG{PIPE} = sub {};
open(my $nullfh, '+<', '/dev/null') or die "/dev/null: $!";
my $nullfd = fileno($nullfh); # dup2'd to the child's fds; its own copy closes at exec
pipe(my $sigr, my $sigw) or die "pipe: $!";
nb($sigr); nb($sigw);
$SIG{CHLD} = sub { syswrite($sigw, "x") };
nb(\*STDIN); # stdin and stdout are one socket: both are non-blocking now

my %kid;     # id => { pid, in, inbuf, ineof, open, exited }
my %rd;      # fd => [id, "out"|"err", fh]
my %bypid;   # pid => id ("" for a background job)
my @queue;   # [id, payload] of seq lines not started yet
my $turn;    # id of the seq line running, if any
my $req = '';

sub nb { my $fh = shift; my $f = fcntl($fh, F_GETFL, 0); fcntl($fh, F_SETFL, $f | O_NONBLOCK); }

# Messages wait in $sent until the loop is about to block: a line's exit and the end of
# its output, seen in one wake-up, reach packetwalk in one write (one wake-up there).
my $sent = '';
sub emit {
  my ($op, $id, $data) = @_;
  $sent .= "$op $id " . length($data) . "\n" . $data;
}

sub flush {
  my $msg = $sent; $sent = '';
  while (length $msg) {
    my $n = syswrite(STDOUT, $msg);
    if (!defined $n) {
      next if $!{EINTR};
      if ($!{EAGAIN}) { my $w = ''; vec($w, fileno(STDOUT), 1) = 1; select(undef, $w, undef, undef); next; }
      exit 1; # packetwalk is gone
    }
    substr($msg, 0, $n) = '';
  }
}

sub done {
  my $id = shift; my $k = $kid{$id} or return;
  if ($k->{exited} && !$k->{open}) { close_in($k); delete $kid{$id}; next_turn($id); }
}

# The seq line $id is over (or killed: what it left holding its pipes must not stall the
# lines after it): start the next one in turn.
sub next_turn {
  my $id = shift;
  return unless defined $turn && $turn eq $id;
  undef $turn;
  start_turn();
}

sub start_turn {
  while (@queue && !defined $turn) {
    my ($next, $payload) = @{shift @queue};
    run($next, $payload);
    $turn = $next if $kid{$next}; # else it failed to start: its reply is sent, go on
  }
}

sub run {
  my ($id, $payload) = @_;
  my ($mode, @argv) = split /\0/, $payload, -1;
  return emit('failed', $id, POSIX::EINVAL()) unless @argv && length $argv[0];
  my ($in_r, $in_w, $out_r, $out_w, $err_r, $err_w);
  if ($mode eq 'p') { pipe($in_r, $in_w) or return emit('failed', $id, $! + 0); }
  if ($mode ne 'b') {
    pipe($out_r, $out_w) or return emit('failed', $id, $! + 0);
    pipe($err_r, $err_w) or return emit('failed', $id, $! + 0);
  }
  # Close-on-exec (perl sets it on every fd above 2): EOF on it says exec succeeded.
  pipe(my $ex_r, my $ex_w) or return emit('failed', $id, $! + 0);
  my ($f0, $f1, $f2) = $mode eq 'b' ? ($nullfd, $nullfd, $nullfd)
    : ($mode eq 'p' ? fileno($in_r) : $nullfd, fileno($out_w), fileno($err_w));
  my $pid = fork();
  if (!defined $pid) { return emit('failed', $id, $! + 0); }
  if ($pid == 0) {
    # As little as possible between fork and exec: each page perl writes here is copied.
    POSIX::setsid();
    if (defined POSIX::dup2($f0, 0) && defined POSIX::dup2($f1, 1) && defined POSIX::dup2($f2, 2)) {
      exec { $argv[0] } @argv;
    }
    syswrite($ex_w, pack('N', $! + 0));
    POSIX::_exit(127);
  }
  close $ex_w;
  close $in_r if $in_r; close $out_w if $out_w; close $err_w if $err_w;
  my $got = '';
  for (;;) {
    my $n = sysread($ex_r, my $buf, 4);
    if (!defined $n) { next if $!{EINTR}; last; }
    last if $n == 0;
    $got .= $buf;
    last if length($got) >= 4;
  }
  close $ex_r;
  if (length($got) >= 4) {
    # exec failed: the child has exited with 127; it is reaped as a background job.
    $bypid{$pid} = '';
    close $in_w if $in_w; close $out_r if $out_r; close $err_r if $err_r;
    return emit('failed', $id, unpack('N', $got));
  }
  if ($mode eq 'b') { $bypid{$pid} = ''; return emit('spawned', $id, $pid); }
  my $k = { pid => $pid, inbuf => '', open => 2, exited => 0 };
  if ($in_w) { nb($in_w); $k->{in} = $in_w; }
  nb($out_r); nb($err_r);
  $rd{fileno $out_r} = [$id, 'out', $out_r];
  $rd{fileno $err_r} = [$id, 'err', $err_r];
  $kid{$id} = $k; $bypid{$pid} = $id;
}

sub close_in {
  my $k = shift;
  close $k->{in} if $k->{in};
  delete $k->{in}; $k->{inbuf} = '';
}

sub write_in {
  my $k = shift;
  while (length $k->{inbuf}) {
    my $n = syswrite($k->{in}, $k->{inbuf});
    if (!defined $n) {
      return if $!{EAGAIN} || $!{EINTR};
      return close_in($k); # EPIPE: it exited without reading it all
    }
    substr($k->{inbuf}, 0, $n) = '';
  }
  close_in($k) if $k->{ineof};
}

sub request {
  my ($op, $id, $data) = @_;
  if ($op eq 'run') { return run($id, $data); }
  if ($op eq 'ready') { return emit('ready', $id, ''); }
  if ($op eq 'seq') {
    push @queue, [$id, $data];
    return start_turn();
  }
  if ($op eq 'kill' && !$kid{$id} && grep { $_->[0] eq $id } @queue) {
    @queue = grep { $_->[0] ne $id } @queue; # its time ran out before its turn came
    emit('exit', $id, ':9'); emit('closed', $id, '');
    return;
  }
  my $k = $kid{$id} or return;
  if ($op eq 'kill') { kill('KILL', -$k->{pid}); $k->{killed} = 1; return; } # also what it left behind
  return unless $k->{in};
  if ($op eq 'in') { $k->{inbuf} .= $data; }
  elsif ($op eq 'eof') { $k->{ineof} = 1; }
  write_in($k);
  done($id);
}

sub reap {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $st = $?;
    my $id = delete $bypid{$pid};
    next if !defined $id || $id eq '';
    my $how = POSIX::WIFEXITED($st) ? POSIX::WEXITSTATUS($st) . ':'
      : ':' . POSIX::WTERMSIG($st);
    emit('exit', $id, $how);
    $kid{$id}{exited} = 1;
    next_turn($id) if $kid{$id}{killed};
    done($id);
  }
}

for (;;) {
  flush();
  my ($rin, $win) = ('', '');
  vec($rin, fileno(STDIN), 1) = 1;
  vec($rin, fileno($sigr), 1) = 1;
  vec($rin, $_, 1) = 1 for keys %rd;
  for my $k (values %kid) { vec($win, fileno($k->{in}), 1) = 1 if $k->{in} && length $k->{inbuf}; }
  # Perl runs the SIGCHLD handler only between its own ops: a child that exits just before
  # select blocks (its pipes' EOF seen, the child not yet waitable) wakes nothing. So wait
  # at most 10 ms while a child has closed its output but not been reaped, else 1 s.
  my $wait = (grep { !$_->{exited} && !$_->{open} } values %kid) ? 0.01 : 1;
  my $n = select(my $rout = $rin, my $wout = $win, undef, $wait);
  if ($n < 0) { next if $!{EINTR}; die "select: $!"; }
  if (vec($rout, fileno($sigr), 1)) { 1 while sysread($sigr, my $b, 64); }
  reap();
  for my $fd (keys %rd) {
    next unless vec($rout, $fd, 1);
    my ($id, $what, $fh) = @{$rd{$fd}};
    my $got = sysread($fh, my $buf, 65536);
    if (!defined $got) { next if $!{EAGAIN} || $!{EINTR}; $got = 0; }
    if ($got > 0) { emit($what, $id, $buf); next; }
    close $fh; delete $rd{$fd};
    my $k = $kid{$id};
    if (--$k->{open} == 0) { emit('closed', $id, ''); done($id); }
  }
  for my $id (keys %kid) {
    my $k = $kid{$id};
    if ($k->{in} && length $k->{inbuf} && vec($wout, fileno($k->{in}), 1)) { write_in($k); done($id); }
  }
  if (vec($rout, fileno(STDIN), 1)) {
    my $got = sysread(STDIN, my $buf, 65536);
    if (!defined $got) { next if $!{EAGAIN} || $!{EINTR}; exit 0; }
    exit 0 if $got == 0;
    $req .= $buf;
    while ($req =~ /\A(\w+) (\d+) (\d+)\n/) {
      my ($op, $id, $len) = ($1, $2, $3);
      my $hl = length($&);
      last if length($req) < $hl + $len;
      my $data = substr($req, $hl, $len);
      substr($req, 0, $hl + $len) = '';
      request($op, $id, $data);
    }
  }
}
`;
