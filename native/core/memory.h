// Page-fault relief for large, freshly allocated buffers.
//
// First touch of fresh memory costs a page fault per 4 KiB page. On the VMs this library is
// measured on a fault costs 13-17 µs, so writing a new buffer runs at 0.2-0.3 GB/s; with
// transparent huge pages (one fault per 2 MiB) the same writes run at ~15 GB/s. A forest keeps
// megabytes of fresh nodes per tree, a CSV parse writes its whole output once: for them the faults
// cost as much as the work. Kernels set to THP "madvise" (a common default) give huge pages only
// to ranges that ask for them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ensemblekit {

// Asks for transparent huge pages on the 2 MiB-aligned part of [p, p + bytes). Call it before the
// range is first written (pages already faulted stay small). Advice only: with THP off, on other
// systems or when the kernel refuses, nothing changes but speed.
inline void advise_huge_pages(const void* p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{1} << 21;
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t e = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (e > b) (void)madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

// std::vector::reserve, then the advice on the new capacity (a no-op when nothing was allocated).
template <class Vec>
void reserve_huge(Vec* v, size_t n) {
  if (n <= v->capacity()) return;
  v->reserve(n);
  advise_huge_pages(v->data(), v->capacity() * sizeof(typename Vec::value_type));
}

// std::allocator with huge pages for large blocks: a block of at least kHugeBlockBytes starts on a
// 2 MiB boundary and its whole 2 MiB pages are advised as above (the tail past the last boundary
// stays in small pages, so an allocation wastes no resident memory). For containers that are
// allocated fresh and kept, like a forest's trees: each tree's nodes would otherwise cost a fault
// per 4 KiB on first write. Smaller blocks come from operator new.
//
// One change to std::allocator's contract: resize() default-initialises, so trivial types (plain
// numbers, POD records) are left unwritten, for arrays that are filled right after, possibly in
// parallel. Types with default member initialisers still get them.
constexpr size_t kHugeBlockBytes = size_t{2} << 20;
// bytes rounded up to whole 2 MiB pages (a block HugePageAllocator serves entirely in huge pages).
inline size_t huge_block_size(size_t bytes) { return (bytes + kHugeBlockBytes - 1) & ~(kHugeBlockBytes - 1); }

// A chain of huge-page chunks carved by bump allocation, for the many mid-sized arrays a forest
// keeps (each tree's nodes and class frequencies, 1-5 MB apiece). Served from the chunks they
// take whole huge pages with no per-array rounding and no 4 KiB tail; freeing an array is a no-op,
// the chunks go when the slab does (every array allocated from it holds a reference). Used by one
// thread at a time.
class NodeSlab {
 public:
  explicit NodeSlab(size_t chunk_bytes = size_t{32} << 20) : chunk_bytes_(huge_block_size(chunk_bytes)) {}
  ~NodeSlab() {
    for (void* c : chunks_) std::free(c);
  }
  NodeSlab(const NodeSlab&) = delete;
  NodeSlab& operator=(const NodeSlab&) = delete;

  void* allocate(size_t bytes) {
    constexpr size_t kAlign = 64;
    bytes = (bytes + kAlign - 1) & ~(kAlign - 1);
    if (bytes > left_) {
      chunks_.reserve(chunks_.size() + 1);  // so the push_back below cannot throw and leak the chunk
      const size_t size = bytes > chunk_bytes_ ? huge_block_size(bytes) : chunk_bytes_;
#if defined(__linux__)
      void* c = nullptr;
      if (posix_memalign(&c, kHugeBlockBytes, size) != 0) throw std::bad_alloc();
      advise_huge_pages(c, size);
#else
      void* c = std::malloc(size);
      if (c == nullptr) throw std::bad_alloc();
#endif
      chunks_.push_back(c);
      cur_ = static_cast<char*>(c);
      left_ = size;
    }
    void* p = cur_;
    cur_ += bytes;
    left_ -= bytes;
    return p;
  }

 private:
  size_t chunk_bytes_;
  std::vector<void*> chunks_;
  char* cur_ = nullptr;
  size_t left_ = 0;
};

// Arrays below this size never come from a slab (a stump's three nodes would pin a huge page).
constexpr size_t kSlabMinBytes = size_t{256} << 10;

template <class T>
struct HugePageAllocator {
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  HugePageAllocator() = default;
  // Allocations from `slab` (null: the usual huge-page / operator new blocks).
  explicit HugePageAllocator(std::shared_ptr<NodeSlab> slab) noexcept : slab(std::move(slab)) {}
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>& other) noexcept : slab(other.slab) {}
  // A copied container allocates on its own (it may outlive the slab's other users).
  HugePageAllocator select_on_container_copy_construction() const { return HugePageAllocator(); }

  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    const size_t bytes = n * sizeof(T);
    if (slab && bytes >= kSlabMinBytes) return static_cast<T*>(slab->allocate(bytes));
#if defined(__linux__)
    if (bytes >= kHugeBlockBytes) {
      void* p = nullptr;
      if (posix_memalign(&p, kHugeBlockBytes, bytes) != 0) throw std::bad_alloc();
      advise_huge_pages(p, bytes);
      return static_cast<T*>(p);
    }
#endif
    return static_cast<T*>(::operator new(bytes));
  }
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible<U>::value) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  void deallocate(T* p, size_t n) noexcept {
    if (slab && n * sizeof(T) >= kSlabMinBytes) return;  // the slab frees its chunks
#if defined(__linux__)
    if (n * sizeof(T) >= kHugeBlockBytes) {
      std::free(p);
      return;
    }
#endif
    (void)n;
    ::operator delete(p);
  }

  std::shared_ptr<NodeSlab> slab;
};
template <class T, class U>
bool operator==(const HugePageAllocator<T>& a, const HugePageAllocator<U>& b) {
  return a.slab == b.slab;
}
template <class T, class U>
bool operator!=(const HugePageAllocator<T>& a, const HugePageAllocator<U>& b) {
  return a.slab != b.slab;
}

// A model's per-node array (tree nodes, compiled nodes and their side arrays).
template <class T>
using NodeArray = std::vector<T, HugePageAllocator<T>>;


}  // namespace ensemblekit
