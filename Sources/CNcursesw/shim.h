// SwiftPM drops pkg-config's -D_XOPEN_SOURCE, which hides the wide-character API;
// NCURSES_WIDECHAR brings it back.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <stdbool.h>
#include <ncurses.h>
#include <term.h>

// Macros and C globals are not importable (or not concurrency-safe) in Swift 6: wrap them.
static inline WINDOW *gt_stdscr(void) { return stdscr; }
static inline int gt_lines(void) { return LINES; }
static inline int gt_cols(void) { return COLS; }
static inline int gt_colors(void) { return COLORS; }
static inline int gt_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t gt_a_bold(void) { return A_BOLD; }
static inline attr_t gt_a_reverse(void) { return A_REVERSE; }
static inline attr_t gt_a_dim(void) { return A_DIM; }
static inline attr_t gt_a_underline(void) { return A_UNDERLINE; }
static inline attr_t gt_a_normal(void) { return A_NORMAL; }
static inline int gt_key_resize(void) { return KEY_RESIZE; }
static inline int gt_key_end(void) { return KEY_END; }
static inline int gt_key_home(void) { return KEY_HOME; }
static inline int gt_key_left(void) { return KEY_LEFT; }
static inline int gt_key_right(void) { return KEY_RIGHT; }
static inline int gt_key_up(void) { return KEY_UP; }
static inline int gt_key_down(void) { return KEY_DOWN; }
static inline int gt_err(void) { return ERR; }

/// Writes one cell: a wide glyph with attributes and a colour pair number (pairs above 255
/// must travel through setcchar, not COLOR_PAIR).
static inline int gt_put_cell(int y, int x, const wchar_t *glyph, attr_t attrs, short pair) {
    cchar_t cell;
    setcchar(&cell, glyph, attrs, pair, NULL);
    return mvadd_wch(y, x, &cell);
}

/// Whether the terminal can address the cursor (TERM=dumb cannot).
static inline bool gt_has_cursor_addressing(void) {
    char *cup = tigetstr("cup");
    return cup != NULL && cup != (char *)-1;
}

// Recording (--record): ncurses draws on a pseudo-terminal whose output a thread copies to the real
// terminal and the recording. ioctl is variadic and openpty lives in <pty.h>: both are wrapped here.
#include <pty.h>
#include <fcntl.h>
#include <sys/ioctl.h>

/// Opens a pseudo-terminal pair whose slave starts with `modes` and the given size. Both ends are
/// close-on-exec (openpty does not do that itself). Returns 0, or -1 with errno set.
static inline int gt_open_pty(int *master, int *slave, const struct termios *modes, int width, int height) {
    struct winsize size = { .ws_row = (unsigned short)height, .ws_col = (unsigned short)width };
    if (openpty(master, slave, NULL, modes, &size) != 0) return -1;
    fcntl(*master, F_SETFD, FD_CLOEXEC);
    fcntl(*slave, F_SETFD, FD_CLOEXEC);
    return 0;
}

/// The size of the terminal on `fd`; false when it has none (not a terminal).
static inline bool gt_window_size(int fd, int *width, int *height) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0 || size.ws_row == 0) return false;
    *width = size.ws_col;
    *height = size.ws_row;
    return true;
}

/// Sets the size of the terminal on `fd` (on a pty master: what its slave reports).
static inline bool gt_set_window_size(int fd, int width, int height) {
    struct winsize size = { .ws_row = (unsigned short)height, .ws_col = (unsigned short)width };
    return ioctl(fd, TIOCSWINSZ, &size) == 0;
}
