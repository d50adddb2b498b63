/* udp_floor.c -- the cheapest possible UDP "server": echoes each query back
 * with QR set, with the same batched I/O as dnsbld (a thread blocking in
 * recvmmsg(MSG_WAITFORONE), one sendmmsg per batch).
 *
 * Why: serve_bench.py runs it beside rbldnsd and dnsbld, so the table shows
 * how much of a server's CPU per query is the kernel's UDP and loopback
 * work that no DNS server can avoid.  Bench-only; not installed.
 * Usage: udp_floor PORT   (binds 127.0.0.1; SIGTERM ends it)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define FLOOR_BATCH 32

int main(int argc, char **argv)
{
	static uint8_t buf[FLOOR_BATCH][4096];
	struct mmsghdr in[FLOOR_BATCH], out[FLOOR_BATCH];
	struct iovec iov[FLOOR_BATCH], oiov[FLOOR_BATCH];
	struct sockaddr_in peers[FLOOR_BATCH], addr;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: udp_floor PORT\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[1]));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("udp_floor: bind");
		return 1;
	}
	for (;;) {
		int n, k = 0;

		for (int i = 0; i < FLOOR_BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof(buf[i]);
			memset(&in[i].msg_hdr, 0, sizeof(in[i].msg_hdr));
			in[i].msg_hdr.msg_name = &peers[i];
			in[i].msg_hdr.msg_namelen = sizeof(peers[i]);
			in[i].msg_hdr.msg_iov = &iov[i];
			in[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, in, FLOOR_BATCH, MSG_WAITFORONE, NULL);
		for (int i = 0; i < n; i++) {
			if (in[i].msg_len < 12)
				continue;
			buf[i][2] |= 0x80;   /* QR */
			oiov[k].iov_base = buf[i];
			oiov[k].iov_len = in[i].msg_len;
			memset(&out[k].msg_hdr, 0, sizeof(out[k].msg_hdr));
			out[k].msg_hdr.msg_name = &peers[i];
			out[k].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
			out[k].msg_hdr.msg_iov = &oiov[k];
			out[k].msg_hdr.msg_iovlen = 1;
			k++;
		}
		for (int sent = 0; sent < k;) {
			int r = sendmmsg(fd, out + sent, (unsigned)(k - sent), 0);

			sent += r > 0 ? r : 1;
		}
	}
}
