// A UDP socket bound to one network interface (SO_BINDTODEVICE, socket(7)), for bootd's DHCP:
// Node's dgram can't set it, and a socket on 0.0.0.0:67 without it hears every LAN of the
// machine. The socket is made, bound to the device and to address:port here, and handed to
// Node as a file descriptor (dgram's bind({ fd })), so no datagram from another interface is
// ever queued on it. Node-API only: one build serves every Node version >= 20.
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>

static napi_value fail(napi_env env, const char *what, const char *device, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s (%s): %s", what, device, strerror(err));
  napi_throw_error(env, err == EPERM ? "EPERM" : NULL, message);
  return NULL;
}

// openBoundUdpSocket(device: string, address: string, port: number, receiveBufferBytes: number): number (fd)
static napi_value open_bound_udp_socket(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 4) {
    napi_throw_type_error(env, NULL, "openBoundUdpSocket(device, address, port, receiveBufferBytes)");
    return NULL;
  }
  char device[IFNAMSIZ + 1] = {0};
  char address[INET_ADDRSTRLEN + 1] = {0};
  size_t len = 0;
  int32_t port = 0, receive_buffer_bytes = 0;
  if (napi_get_value_string_utf8(env, argv[0], device, sizeof device, &len) != napi_ok || len == 0 || len >= IFNAMSIZ ||
      napi_get_value_string_utf8(env, argv[1], address, sizeof address, &len) != napi_ok ||
      napi_get_value_int32(env, argv[2], &port) != napi_ok || port < 0 || port > 65535 ||
      napi_get_value_int32(env, argv[3], &receive_buffer_bytes) != napi_ok) {
    napi_throw_type_error(env, NULL, "openBoundUdpSocket: device (1-15 bytes), IPv4 address, port 0-65535, buffer size");
    return NULL;
  }
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, address, &sin.sin_addr) != 1) {
    napi_throw_type_error(env, NULL, "openBoundUdpSocket: not an IPv4 address");
    return NULL;
  }
  // Non-blocking and close-on-exec, as libuv makes its own sockets.
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(env, "socket", device, errno);
  int on = 1;
  // SO_REUSEADDR: one socket per boot interface (and the relay socket) share port 67.
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) { int e = errno; close(fd); return fail(env, "SO_REUSEADDR", device, e); }
  if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on) < 0) { int e = errno; close(fd); return fail(env, "SO_BROADCAST", device, e); }
  // Before bind: from here on only datagrams that arrived on this device are queued, and
  // broadcasts sent on the socket leave through it.
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device)) < 0) { int e = errno; close(fd); return fail(env, "SO_BINDTODEVICE", device, e); }
  // Best effort: the kernel caps it at net.core.rmem_max; the caller logs the size obtained.
  if (receive_buffer_bytes > 0) (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) { int e = errno; close(fd); return fail(env, "bind", device, e); }
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  if (napi_create_function(env, "openBoundUdpSocket", NAPI_AUTO_LENGTH, open_bound_udp_socket, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "openBoundUdpSocket", fn) != napi_ok) return NULL;
  return exports;
}
