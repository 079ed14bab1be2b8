#pragma once
// Draws anime-style portraits of a Scene: anti-aliased shapes (signed distances, one-pixel
// coverage ramps), gradients, hair strands and eye highlights, so that precision artifacts
// (banding, jagged edges, colour shifts) have somewhere to show.
#include "studio/Image.h"
#include "studio/demo/CharacterAttributes.h"

namespace studio::demo {

// Where the parts of one character are, in pixels; shared by the renderer and the probe.
struct CharacterLayout {
    float cx{0}, cy{0}, r{0};            // face centre and radius unit
    float left_eye_x{0}, right_eye_x{0}, eye_y{0};
    float mouth_x{0}, mouth_y{0};
};

CharacterLayout layout_for(const Scene& scene, size_t character, int size);

// Renders the scene as a size x size RGB float image in [0,1].
ImageF render_scene(const Scene& scene, int size = 256);

}  // namespace studio::demo
