/*
 * bench_maxrss CMD [ARGS...] - run CMD (stdin, stdout and stderr inherited)
 * and print its peak resident set size in KiB on stderr as "maxrss_kb=N";
 * exits with CMD's status (tests/bench/run.sh; /usr/bin/time may be absent).
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct rusage ru;
    pid_t pid;
    int status = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: bench_maxrss CMD [ARGS...]\n");
        return 2;
    }
    if ((pid = fork()) < 0) {
        perror("bench_maxrss: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("bench_maxrss: exec");
        _exit(127);
    }
    /* POSIX has no wait4: the only child's usage is RUSAGE_CHILDREN once it is reaped. */
    if (waitpid(pid, &status, 0) != pid || getrusage(RUSAGE_CHILDREN, &ru) != 0) {
        perror("bench_maxrss: waitpid");
        return 2;
    }
    fprintf(stderr, "maxrss_kb=%ld\n", ru.ru_maxrss);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
