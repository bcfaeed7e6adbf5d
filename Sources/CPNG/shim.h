#include <png.h>
#include <stdlib.h>
#include <string.h>

// libpng's simplified API reports errors by return value (no setjmp reaches Swift). Its format
// constants and PNG_IMAGE_* size macros are macros Swift cannot import: these wrap them.

/// Reads the header of the PNG in `data`: 1 on success, 0 with image->message set otherwise.
static inline int cpng_begin(png_image *image, const void *data, size_t size) {
    memset(image, 0, sizeof *image);
    image->version = PNG_IMAGE_VERSION;
    return png_image_begin_read_from_memory(image, data, size);
}

static inline int cpng_has_color(const png_image *image) { return (image->format & PNG_FORMAT_FLAG_COLOR) != 0; }
static inline int cpng_has_alpha(const png_image *image) { return (image->format & PNG_FORMAT_FLAG_ALPHA) != 0; }
/// Set after cpng_begin for 16-bit files.
static inline int cpng_is_linear(const png_image *image) { return (image->format & PNG_FORMAT_FLAG_LINEAR) != 0; }

/// Chooses the output: grey or RGB, with alpha if `alpha`, 16-bit if `linear`. 8-bit output is
/// sRGB with straight alpha; 16-bit ("linear") output has alpha premultiplied.
static inline void cpng_choose_format(png_image *image, int color, int alpha, int linear) {
    png_uint_32 format = (color ? PNG_FORMAT_FLAG_COLOR : 0) | (alpha ? PNG_FORMAT_FLAG_ALPHA : 0);
    image->format = format | (linear ? PNG_FORMAT_FLAG_LINEAR : 0);
}

static inline size_t cpng_channels(const png_image *image) { return PNG_IMAGE_PIXEL_CHANNELS(image->format); }

/// Decodes into `buffer` (width * height * channels samples of 1 or 2 bytes): 1 on success, 0 with image->message set.
static inline int cpng_finish(png_image *image, void *buffer) {
    return png_image_finish_read(image, NULL, buffer, 0, NULL);
}

static inline const char *cpng_message(const png_image *image) { return image->message; }
