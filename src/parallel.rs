//! Independent work over a release's objects (parsing documents, converting them for the
//! rules, locating findings) split into contiguous shares, one per core, so results come
//! back in the release's order; and freeing big values on another core.

/// The cores to use for `items` pieces of work (at least one, at most one per piece).
pub(crate) fn threads(items: usize) -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, items.max(1))
}

/// `work(first, share)` over contiguous shares of `items` on every core, `first` being the
/// index of the share's first item; the results in order. A panic in a share is re-raised
/// here, as if the work had run on this thread.
pub(crate) fn shares<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(usize, &[T]) -> R + Sync,
) -> Vec<R> {
    let size = items.len().div_ceil(threads(items.len())).max(1);
    if items.len() <= size {
        return vec![work(0, items)];
    }
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(k, share)| scope.spawn(move || work(k * size, share)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Frees `value` on another thread: a release's trees, its Rego values or a prepared engine
/// take tens of milliseconds to drop at 10,000 objects, off the path to the report (a CLI
/// exits without waiting for it).
pub(crate) fn free_later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_and_the_indexes_of_the_items() {
        let items: Vec<usize> = (0..1001).collect();
        let out: Vec<Vec<(usize, usize)>> = shares(&items, |first, share| {
            share
                .iter()
                .enumerate()
                .map(|(n, &x)| (first + n, x))
                .collect()
        });
        let flat: Vec<(usize, usize)> = out.into_iter().flatten().collect();
        assert_eq!(flat, (0..1001).map(|i| (i, i)).collect::<Vec<_>>());
        assert_eq!(shares(&[] as &[u8], |_, s| s.len()), vec![0]);
    }
}
