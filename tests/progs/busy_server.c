/*
 * A server thread waits in accept and read while every other thread computes without
 * a system call, until the server has heard from the host. On one vCPU the message can
 * only get in if the host interrupts the computing guest (docs/threads.md): nothing
 * else makes the shim ask the host for events. Usage: busy_server PORT SPINNERS.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile int heard;
static char message[64];

static void *serve(void *arg)
{
    int port = *(int *)arg;
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
        perror("bind/listen");
        exit(1);
    }
    printf("listening\n");
    fflush(stdout);
    int c = accept(s, NULL, NULL);
    ssize_t n = c < 0 ? -1 : read(c, message, sizeof(message) - 1);
    if (n <= 0) {
        perror("accept/read");
        exit(1);
    }
    message[strcspn(message, "\n")] = 0;
    __atomic_store_n(&heard, 1, __ATOMIC_SEQ_CST);
    if (write(c, "ok\n", 3) != 3)
        perror("write");
    close(c);
    close(s);
    return NULL;
}

static void *spin(void *arg)
{
    while (!__atomic_load_n(&heard, __ATOMIC_SEQ_CST)) {
    }
    return arg;
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 8080, spinners = argc > 2 ? atoi(argv[2]) : 1;
    pthread_t server, t[8];
    if (spinners < 1 || spinners > 8 || pthread_create(&server, NULL, serve, &port))
        return 2;
    for (int i = 1; i < spinners; i++)
        pthread_create(&t[i], NULL, spin, NULL);
    spin(NULL); /* the main thread is a spinner too */
    for (int i = 1; i < spinners; i++)
        pthread_join(t[i], NULL);
    pthread_join(server, NULL);
    printf("%d spinners stopped; the server heard \"%s\"\n", spinners, message);
    return 0;
}
