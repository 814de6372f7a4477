//! Clustering: scored pairs plus must- and cannot-links → clusters of records.
//!
//! Edges are taken in descending weight (ties by record ids, so the result never
//! depends on thread scheduling or input order of the pairs) and their components
//! are united with a union-find, unless a cannot-link joins the two components: then
//! the edge is refused. That is what stops chaining: two relatives who are a
//! cannot-link can never end up in one cluster through a third record that looks like
//! both. Must-links (a reviewer's "same person") go first and override the model's
//! cannot-links, but never a reviewer's "different people".
//!
//! Cost: sorting the edges, then near-constant time per edge (path halving, union by
//! size; cannot-link lists are merged small-into-large).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// A key that sorts weights from heaviest to lightest in the order of
/// [`f64::total_cmp`] reversed.
fn descending(w: f64) -> u64 {
    let bits = w.to_bits();
    // Negative numbers have their order reversed by flipping all bits; positive ones
    // move above them by setting the sign bit.
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    !ascending
}

/// An edge to consider: a pair and its weight.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    /// One record.
    pub a: u32,
    /// The other record.
    pub b: u32,
    /// Match weight (`f64::INFINITY` for a must-link).
    pub weight: f64,
}

/// A pair that must not end up in one cluster.
#[derive(Debug, Clone, Copy)]
pub struct CannotLink {
    /// One record.
    pub a: u32,
    /// The other record.
    pub b: u32,
    /// A reviewer's decision (never overridden) rather than the model's verdict.
    pub hard: bool,
}

/// The clustering.
#[derive(Debug, Clone)]
pub struct Clusters {
    /// Members of each cluster, ascending; clusters ordered by their first member.
    pub clusters: Vec<Vec<u32>>,
    /// Cluster index of each record.
    pub of: Vec<u32>,
    /// Per record, the highest weight of an accepted edge touching it (NaN for a
    /// record that joined no one).
    pub join_weight: Vec<f64>,
    /// Edges refused because of a cannot-link (pairs that would have merged).
    pub refused: Vec<Edge>,
    /// Edges that united two components, in the order they were taken: the links that
    /// hold each cluster together (its weakest one is the cluster's bottleneck).
    pub unions: Vec<Edge>,
}

/// The clustering's edges from scored pairs: the pairs at or above `match_w` (a
/// weight, not a probability).
pub fn edges(pairs: &[crate::block::CandidatePair], weights: &[f64], match_w: f64) -> Vec<Edge> {
    pairs
        .par_iter()
        .zip(weights)
        .filter(|(_, &w)| w >= match_w)
        .map(|(p, &weight)| Edge {
            a: p.a,
            b: p.b,
            weight,
        })
        .collect()
}

/// The model's cannot-links from scored pairs: the pairs below `cannot_w` (a weight),
/// as they are read. Most pairs are far below the match threshold (three in four on
/// generated data), and [`clusters_ordered`] keeps only the few that can matter, so
/// they need not be listed first.
pub fn cannot_links<'a>(
    pairs: &'a [crate::block::CandidatePair],
    weights: &'a [f64],
    cannot_w: f64,
) -> impl ParallelIterator<Item = CannotLink> + 'a {
    pairs
        .par_iter()
        .zip(weights)
        .filter(move |(_, &w)| w < cannot_w)
        .map(|(p, _)| CannotLink {
            a: p.a,
            b: p.b,
            hard: false,
        })
}

/// The root of `x` in a parent forest, halving the path on the way.
fn root(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[x as usize];
        parent[x as usize] = parent[p as usize];
        x = parent[x as usize];
    }
    x
}

struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Per root that has any: (record in another component, hard). Few records have
    /// cannot-links that matter (see `clusters_ordered`), so this is a map rather than
    /// a list per record (24 bytes each, 240 MB on ten million records).
    cannot: FxHashMap<u32, Vec<(u32, bool)>>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            cannot: FxHashMap::default(),
        }
    }

    fn cannot_len(&self, r: u32) -> usize {
        self.cannot.get(&r).map_or(0, Vec::len)
    }

    fn find(&mut self, x: u32) -> u32 {
        root(&mut self.parent, x)
    }

    /// Whether a cannot-link joins the components of roots `ra` and `rb`; with
    /// `only_hard`, soft (model) cannot-links are ignored.
    fn conflict(&mut self, ra: u32, rb: u32, only_hard: bool) -> bool {
        let (small, other) = if self.cannot_len(ra) <= self.cannot_len(rb) {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let Some(list) = self.cannot.remove(&small) else {
            return false;
        };
        let hit = list
            .iter()
            .any(|&(x, hard)| (hard || !only_hard) && self.find(x) == other);
        self.cannot.insert(small, list);
        hit
    }

    fn union(&mut self, ra: u32, rb: u32) {
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        if let Some(moved) = self.cannot.remove(&small) {
            self.cannot.entry(big).or_default().extend(moved);
        }
    }
}

/// Clusters `n` records. `edges` are the pairs at or above the match threshold,
/// `must` the must-links, `cannot` the cannot-links. Edges of equal weight are taken
/// in record order; see [`clusters_ordered`] for an order that does not depend on the
/// input's row order.
pub fn clusters(
    n: usize,
    edges: Vec<Edge>,
    must: &[(u32, u32)],
    cannot: &[CannotLink],
) -> Clusters {
    clusters_ordered(n, edges, must, cannot.par_iter().copied(), None)
}

/// [`clusters`], with ties between edges of equal weight (and the order of must-links)
/// broken by `order[record]` instead of the record number. With a cannot-link in
/// play, which of two equal edges comes first can decide a merge; an order derived
/// from each record's stable key makes the clusters the same however the input rows
/// were sorted.
pub fn clusters_ordered(
    n: usize,
    edges: Vec<Edge>,
    must: &[(u32, u32)],
    cannot: impl ParallelIterator<Item = CannotLink>,
    order: Option<&[u64]>,
) -> Clusters {
    let rank = |x: u32| order.map_or(u64::from(x), |o| o[x as usize]);
    let pair_rank = |a: u32, b: u32| {
        let (x, y) = (rank(a), rank(b));
        (x.min(y), x.max(y), a.min(b), a.max(b))
    };
    // A cannot-link can only ever stop a merge when its two records are connected by
    // edges and must-links at all; most candidate pairs below the cannot-link weight
    // are not (they sit in different components), and carrying them through every
    // union costs time and memory for nothing. So only those inside one component are
    // kept: the clusters are exactly the same.
    let in_range = |a: u32, b: u32| (a as usize) < n && (b as usize) < n;
    let mut component: Vec<u32> = (0..n as u32).collect();
    let links = edges.iter().map(|e| (e.a, e.b)).chain(must.iter().copied());
    for (a, b) in links.filter(|&(a, b)| in_range(a, b)) {
        let (ra, rb) = (root(&mut component, a), root(&mut component, b));
        component[ra as usize] = rb;
    }
    // Each record's component root, so the cannot-links (most of the candidate pairs on
    // large runs) are sifted on all cores with one read per record.
    let component: Vec<u32> = (0..n as u32).map(|x| root(&mut component, x)).collect();
    let kept: Vec<CannotLink> = cannot
        .filter(|c| {
            in_range(c.a, c.b) && c.a != c.b && component[c.a as usize] == component[c.b as usize]
        })
        .collect();
    let mut uf = UnionFind::new(n);
    for c in kept {
        uf.cannot.entry(c.a).or_default().push((c.b, c.hard));
        uf.cannot.entry(c.b).or_default().push((c.a, c.hard));
    }
    let mut join_weight = vec![f64::NAN; n];
    let mut refused = Vec::new();
    let mut unions = Vec::new();
    let mut accept = |uf: &mut UnionFind, e: Edge, only_hard: bool, jw: &mut Vec<f64>| -> bool {
        let (ra, rb) = (uf.find(e.a), uf.find(e.b));
        if ra != rb {
            if uf.conflict(ra, rb, only_hard) {
                return false;
            }
            uf.union(ra, rb);
            unions.push(e);
        }
        for x in [e.a, e.b] {
            let w = &mut jw[x as usize];
            if w.is_nan() || e.weight > *w {
                *w = e.weight;
            }
        }
        true
    };
    let mut must: Vec<(u32, u32)> = must
        .iter()
        .filter(|(a, b)| (*a as usize) < n && (*b as usize) < n)
        .map(|&(a, b)| (a.min(b), a.max(b)))
        .collect();
    must.sort_unstable_by_key(|&(a, b)| pair_rank(a, b));
    for (a, b) in must {
        let e = Edge {
            a,
            b,
            weight: f64::INFINITY,
        };
        if !accept(&mut uf, e, true, &mut join_weight) {
            refused.push(e);
        }
    }
    // Heaviest first, ties by the pair's ranks: each edge's sort key is made once
    // (the ranks are reads far apart in memory), then sorted on all cores.
    let mut keyed: Vec<((u64, u64, u64, u64), Edge)> = edges
        .into_par_iter()
        .map(|e| {
            let (x, y, a, b) = pair_rank(e.a, e.b);
            (
                (
                    descending(e.weight),
                    x,
                    y,
                    u64::from(a) << 32 | u64::from(b),
                ),
                e,
            )
        })
        .collect();
    keyed.par_sort_unstable_by_key(|&(k, _)| k);
    for e in keyed.into_iter().map(|(_, e)| e) {
        if !accept(&mut uf, e, false, &mut join_weight) {
            refused.push(e);
        }
    }

    // Number clusters by their smallest member, which is what makes the numbering
    // independent of the order edges were united in.
    // Each cluster's list is made at its final size, and the list of clusters too: on
    // ten million records, six million lists grown by pushing held a third more.
    let mut of = vec![u32::MAX; n];
    let mut root_cluster = component;
    root_cluster.fill(u32::MAX);
    let mut sizes: Vec<u32> = Vec::new();
    for x in 0..n as u32 {
        let r = uf.find(x) as usize;
        if root_cluster[r] == u32::MAX {
            root_cluster[r] = sizes.len() as u32;
            sizes.push(0);
        }
        let c = root_cluster[r];
        sizes[c as usize] += 1;
        of[x as usize] = c;
    }
    drop(root_cluster);
    let mut clusters: Vec<Vec<u32>> = sizes
        .iter()
        .map(|&k| Vec::with_capacity(k as usize))
        .collect();
    drop(sizes);
    for (x, &c) in of.iter().enumerate() {
        clusters[c as usize].push(x as u32);
    }
    Clusters {
        clusters,
        of,
        join_weight,
        refused,
        unions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(a: u32, b: u32, weight: f64) -> Edge {
        Edge { a, b, weight }
    }

    #[test]
    fn sort_key_orders_weights_heaviest_first() {
        let mut by_total: Vec<f64> = vec![
            3.5,
            -0.0,
            f64::INFINITY,
            -12.25,
            0.0,
            f64::NEG_INFINITY,
            1e-300,
            -1e-300,
            f64::MAX,
            f64::MIN,
            7.0,
        ];
        let mut by_key = by_total.clone();
        by_total.sort_by(|x, y| y.total_cmp(x));
        by_key.sort_by_key(|&w| descending(w));
        let bits = |v: &[f64]| v.iter().map(|w| w.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&by_key), bits(&by_total));
    }

    #[test]
    fn unions_in_weight_order() {
        let c = clusters(4, vec![e(0, 1, 10.0), e(2, 3, 5.0)], &[], &[]);
        assert_eq!(c.clusters, vec![vec![0, 1], vec![2, 3]]);
        assert_eq!(c.of, vec![0, 0, 1, 1]);
        assert!(c.join_weight[0] == 10.0);
    }

    #[test]
    fn unions_are_the_links_that_hold_clusters() {
        let c = clusters(3, vec![e(0, 1, 9.0), e(1, 2, 2.0), e(0, 2, 5.0)], &[], &[]);
        let w: Vec<f64> = c.unions.iter().map(|u| u.weight).collect();
        assert_eq!(w, vec![9.0, 5.0], "the 2.0 edge joined nothing new");
    }

    #[test]
    fn cannot_link_stops_chaining() {
        // 0 and 2 are different people; 1 looks like both.
        let cannot = [CannotLink {
            a: 0,
            b: 2,
            hard: false,
        }];
        let c = clusters(3, vec![e(0, 1, 9.0), e(1, 2, 8.0)], &[], &cannot);
        assert_eq!(c.clusters, vec![vec![0, 1], vec![2]]);
        assert_eq!(c.refused.len(), 1);
    }

    #[test]
    fn must_link_beats_model_cannot_but_not_reviewer_cannot() {
        let soft = [CannotLink {
            a: 0,
            b: 1,
            hard: false,
        }];
        let c = clusters(2, vec![], &[(0, 1)], &soft);
        assert_eq!(c.clusters.len(), 1);
        let hard = [CannotLink {
            a: 0,
            b: 1,
            hard: true,
        }];
        let c = clusters(2, vec![], &[(0, 1)], &hard);
        assert_eq!(c.clusters.len(), 2);
    }

    #[test]
    fn result_does_not_depend_on_edge_order() {
        let edges = vec![e(0, 1, 3.0), e(1, 2, 3.0), e(3, 4, 7.0), e(2, 3, 1.0)];
        let cannot = [CannotLink {
            a: 0,
            b: 4,
            hard: false,
        }];
        let a = clusters(5, edges.clone(), &[], &cannot);
        let mut rev = edges;
        rev.reverse();
        let b = clusters(5, rev, &[], &cannot);
        assert_eq!(a.clusters, b.clusters);
    }
}
