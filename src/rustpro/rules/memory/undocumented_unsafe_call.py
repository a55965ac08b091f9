"""undocumented-unsafe-call: the plain unsafe calls undocumented-unsafe-block sets apart."""

from __future__ import annotations

from rustpro.rules.base import BaseRule


class UndocumentedUnsafeCall(BaseRule):
    """Flags undocumented `unsafe` blocks that only call functions (opt-in: `pedantic`).

    ## What it does
    Lists the `unsafe` blocks without a justifying comment that `undocumented-unsafe-block`
    judges to need no argument of their own: their only unsafe operations are calls to unsafe
    or foreign functions with plain arguments, on one subject. Plain arguments are paths,
    fields, literals, references to them (`&mut info`), casts of those to pointers
    (`&mut len as *mut _`), accessor calls (`self.as_ptr()`, `buf.as_mut_ptr()` with
    `buf.len()`, `ptr::null_mut()`), flags combined with `|`, and calls nested the same way
    (`cvt(ffi::f(self.as_ptr()))`). `mem::zeroed()` of a C type (`libc::sigaction`,
    `SYSTEM_INFO`, or a variable the block hands over as `&mut x` to be filled in) counts
    as plain. Such a block's soundness is the wrapper type's invariant (it owns a valid
    handle), repeated for every foreign function it wraps. Two shapes that build something
    from a raw pointer are here too: a reference to what a function without arguments
    returns (`CipherRef::from_ptr(ffi::EVP_aes_128_cbc() as *mut _)`, a library's static
    table or string), and an OS handle passed from one owner to another
    (`File::from_raw_fd(socket.into_raw_fd())`, also through a `let` just before or a
    `.map(IntoRawFd::into_raw_fd)`).

    Everything else stays with `undocumented-unsafe-block`: a raw pointer dereferenced, a
    reference, slice or owner built from a raw pointer, pointer arithmetic, `transmute`,
    `_unchecked` calls, `set_len`, `assume_init`, `ptr::read`/`write`/`copy*`,
    `mem::forget`, `mem::zeroed` of a Rust type, a `static mut`, a block with no call (a
    union field), a call through a function pointer, a computed argument (`len - 1`),
    unsafe calls on two different subjects, inline assembly. Without types, a crate's own
    unsafe method with an ordinary name (`self.inc_start(n)`) is a plain call here.

    The rule is in the `pedantic` group: select it with `--select pedantic` or by name, for
    an audit that wants every unsafe block argued. What silences `undocumented-unsafe-block`
    silences it too: `// rustpro: allow(undocumented-unsafe-block)` or
    `#[allow(clippy::undocumented_unsafe_blocks)]`.

    ## Why is this bad?
    A foreign function has preconditions the compiler cannot check either: a handle that is
    valid and not yet freed, a buffer as long as the length passed with it, a thread that may
    make the call. In a wrapper type these follow from its invariant, and a `// SAFETY:` line
    per call repeats that invariant; where they do not (a handle borrowed from elsewhere, a
    call that frees), the comment is what lets a reviewer see it.

    ## Example
    ```rust
    impl Digest {
        pub fn size(&self) -> usize {
            unsafe { ffi::EVP_MD_size(self.as_ptr()) as usize }
        }
    }
    ```

    ## Use instead
    ```rust
    impl Digest {
        pub fn size(&self) -> usize {
            // SAFETY: `self` owns a valid `EVP_MD` for as long as it lives.
            unsafe { ffi::EVP_MD_size(self.as_ptr()) as usize }
        }
    }
    ```

    ## References
    - clippy: `undocumented_unsafe_blocks`
    - The Rustonomicon, "FFI"
    - Rust std-dev guide, "Safety comments"
    """

    name = "undocumented-unsafe-call"
    # No clippy twins of its own: each finding is silenced by those of the rule that judged
    # it (`#[allow(clippy::undocumented_unsafe_blocks)]`), see `Finding.origin`.


# The one instance undocumented-unsafe-block reports its plain calls with.
UNSAFE_CALLS = UndocumentedUnsafeCall()
