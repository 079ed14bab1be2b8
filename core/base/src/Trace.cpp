#include "studio/Trace.h"

namespace studio {

namespace trace_detail {
thread_local TraceSink* t_sink = nullptr;
}

const char* to_string(SiteKind k) {
    switch (k) {
        case SiteKind::Module: return "module";
        case SiteKind::Block: return "block";
        case SiteKind::Linear: return "linear";
        case SiteKind::Attention: return "attention";
        case SiteKind::Norm: return "norm";
        case SiteKind::Conv: return "conv";
    }
    return "?";
}

}  // namespace studio
