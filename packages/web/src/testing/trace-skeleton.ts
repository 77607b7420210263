import type { Mask } from './ink-skeleton.js';

// The second half of recovering pen paths: a 1-pixel skeleton (ink-skeleton.ts) becomes a graph —
// nodes where lines end or meet, edges along the lines — and the graph becomes strokes: spurs
// that thinning grows from a thick line's corners are cut, the two junctions thinning makes of
// one crossing are merged, and at each junction the two lines that continue each other most
// straightly are joined, as a pen would have drawn them. Each stroke is then smoothed and
// simplified lightly (Ramer–Douglas–Peucker).

/** A point in the image's pixel coordinates (pixel centres at +0.5). */
export type Point = readonly [number, number];
/** One pen-down path, in drawing order. A single point is a dot. */
export type Polyline = readonly Point[];

export interface TraceOptions {
  /** Spurs shorter than this (pixels) ending in the open are thinning artefacts and are cut. */
  readonly spurLength: number;
  /** Junctions closer than this (pixels) are one crossing. */
  readonly mergeLength: number;
  /** Largest distance (pixels) a simplified stroke may leave the traced centre line. @defaultValue 0.7 */
  readonly tolerance?: number;
  /** Largest bend (degrees) at a junction for two lines to be joined into one stroke. @defaultValue 60 */
  readonly maxJoinBend?: number;
  /**
   * Moves a point along a line (not a node) to the ink's centre: thinning keeps the pixel on one
   * side of the middle of an even-width line; the picture's gray levels know better.
   */
  readonly centre?: (point: Point) => Point;
}

interface Edge {
  /** Node ids at the two ends; -1 for a closed loop without a node. */
  from: number;
  to: number;
  points: Point[];
  removed: boolean;
}

interface Node {
  x: number;
  y: number;
  /** Incident edge ends: edge id and which end (0: its `from`, 1: its `to`). */
  ends: { edge: number; end: 0 | 1 }[];
  /** Set when merged into another node. */
  mergedInto?: number;
}

const OFFSETS = [
  [-1, -1],
  [0, -1],
  [1, -1],
  [-1, 0],
  [1, 0],
  [-1, 1],
  [0, 1],
  [1, 1],
] as const;

/** Traces `skeleton` into strokes (see the file comment). */
export function traceSkeleton(skeleton: Mask, options: TraceOptions): Polyline[] {
  const graph = buildGraph(skeleton);
  const { centre } = options;
  if (centre !== undefined) {
    for (const edge of graph.edges) {
      const closed = edge.from === -1;
      edge.points = edge.points.map((point, i) =>
        closed || (i > 0 && i < edge.points.length - 1) ? centre(point) : point,
      );
      if (closed) edge.points[edge.points.length - 1] = edge.points[0];
    }
  }
  pruneSpurs(graph, options.spurLength);
  mergeJunctions(graph, options.mergeLength);
  const strokes = joinStrokes(
    graph,
    Math.cos(((180 - (options.maxJoinBend ?? 60)) * Math.PI) / 180),
    options.spurLength,
  );
  return strokes.map((stroke) => simplify(smooth(stroke), options.tolerance ?? 0.7));
}

function buildGraph(skeleton: Mask): { nodes: Node[]; edges: Edge[] } {
  const { width, height, data } = skeleton;
  const set = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && data[y * width + x] === 1;
  const neighbours = (i: number): number[] => {
    const x = i % width;
    const y = (i - x) / width;
    const out: number[] = [];
    for (const [dx, dy] of OFFSETS) if (set(x + dx, y + dy)) out.push((y + dy) * width + x + dx);
    return out;
  };
  const centre = (i: number): Point => [(i % width) + 0.5, Math.floor(i / width) + 0.5];

  // Node pixels: ends (1 neighbour), junctions (3+), dots (0). Adjacent ones are one node.
  const nodeOf = new Int32Array(width * height).fill(-1);
  const nodes: Node[] = [];
  const isNodePixel = (i: number) => data[i] === 1 && neighbours(i).length !== 2;
  for (let i = 0; i < data.length; i++) {
    if (!isNodePixel(i) || nodeOf[i] !== -1) continue;
    const id = nodes.length;
    const queue = [i];
    nodeOf[i] = id;
    let sx = 0;
    let sy = 0;
    for (let q = 0; q < queue.length; q++) {
      const [cx, cy] = centre(queue[q]);
      sx += cx;
      sy += cy;
      for (const n of neighbours(queue[q])) {
        if (nodeOf[n] === -1 && isNodePixel(n)) {
          nodeOf[n] = id;
          queue.push(n);
        }
      }
    }
    nodes.push({ x: sx / queue.length, y: sy / queue.length, ends: [] });
  }

  // Edges: walks along 2-neighbour pixels from one node to the next.
  const edges: Edge[] = [];
  const visited = new Uint8Array(width * height);
  const addEdge = (from: number, to: number, points: Point[]) => {
    const id = edges.length;
    edges.push({ from, to, points, removed: false });
    if (from >= 0) nodes[from].ends.push({ edge: id, end: 0 });
    if (to >= 0) nodes[to].ends.push({ edge: id, end: 1 });
  };
  const walk = (start: number, first: number): { pixels: number[]; end: number } => {
    const pixels = [first];
    visited[first] = 1;
    let previous = start;
    let current = first;
    for (;;) {
      const next = neighbours(current).find((n) => {
        if (n === previous) return false;
        // The line goes on, or reaches a node — not straight back into the one it left.
        if (nodeOf[n] === -1) return !visited[n];
        return start < 0 || nodeOf[n] !== nodeOf[start] || pixels.length > 1;
      });
      if (next === undefined) return { pixels, end: -1 };
      if (nodeOf[next] !== -1) return { pixels, end: next };
      visited[next] = 1;
      pixels.push(next);
      previous = current;
      current = next;
    }
  };
  for (let i = 0; i < data.length; i++) {
    if (nodeOf[i] === -1) continue;
    for (const n of neighbours(i)) {
      if (nodeOf[n] !== -1 || visited[n]) continue;
      const { pixels, end } = walk(i, n);
      const from = nodes[nodeOf[i]];
      const points: Point[] = [[from.x, from.y], ...pixels.map(centre)];
      if (end === -1) {
        addEdge(nodeOf[i], -1, points);
      } else {
        const to = nodes[nodeOf[end]];
        addEdge(nodeOf[i], nodeOf[end], [...points, [to.x, to.y]]);
      }
    }
  }
  // What is left unvisited are closed loops without a node (an O drawn as one clean ring).
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 1 || nodeOf[i] !== -1 || visited[i]) continue;
    const { pixels } = walk(-1, i);
    addEdge(-1, -1, [...pixels.map(centre), centre(i)]);
  }
  // An open end of an edge (a walk that found no node) is a node of its own.
  for (const [id, edge] of edges.entries()) {
    if (edge.to === -1 && edge.from !== -1) {
      const [x, y] = edge.points.at(-1)!;
      edge.to = nodes.length;
      nodes.push({ x, y, ends: [{ edge: id, end: 1 }] });
    }
  }
  return { nodes, edges };
}

function length(points: readonly Point[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++)
    total += Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
  return total;
}

const liveEnds = (graph: { edges: Edge[] }, node: Node) => node.ends.filter((e) => !graph.edges[e.edge].removed);

/** Cuts short branches from a junction to an open end, shortest first, until none is left. */
function pruneSpurs(graph: { nodes: Node[]; edges: Edge[] }, spurLength: number): void {
  for (let changed = true; changed;) {
    changed = false;
    const candidates = graph.edges
      .map((edge, id) => ({ edge, id, length: length(edge.points) }))
      .filter(({ edge, length: l }) => !edge.removed && l < spurLength && edge.from !== edge.to && edge.from >= 0)
      .sort((a, b) => a.length - b.length);
    for (const { edge, id } of candidates) {
      const degrees = [edge.from, edge.to].map((n) => liveEnds(graph, graph.nodes[n]).length);
      // An open end on one side, a junction (still one after the cut) on the other.
      if ((degrees[0] === 1 && degrees[1] >= 3) || (degrees[1] === 1 && degrees[0] >= 3)) {
        graph.edges[id].removed = true;
        changed = true;
      }
    }
  }
  // Tiny loops at a junction (a filled corner thinned to a ring of a few pixels).
  for (const [id, edge] of graph.edges.entries()) {
    if (!edge.removed && edge.from >= 0 && edge.from === edge.to && length(edge.points) < spurLength)
      graph.edges[id].removed = true;
  }
}

/** Contracts short edges between two junctions: thinning makes two junctions of one crossing. */
function mergeJunctions(graph: { nodes: Node[]; edges: Edge[] }, mergeLength: number): void {
  for (const [id, edge] of graph.edges.entries()) {
    if (edge.removed || edge.from < 0 || edge.from === edge.to || length(edge.points) >= mergeLength) continue;
    const a = graph.nodes[edge.from];
    const b = graph.nodes[edge.to];
    if (liveEnds(graph, a).length < 3 || liveEnds(graph, b).length < 3) continue;
    graph.edges[id].removed = true;
    const keep = edge.from;
    a.x = (a.x + b.x) / 2;
    a.y = (a.y + b.y) / 2;
    for (const end of b.ends) {
      const other = graph.edges[end.edge];
      if (end.end === 0) other.from = keep;
      else other.to = keep;
      a.ends.push(end);
    }
    b.ends = [];
    b.mergedInto = keep;
    // Every edge now at `keep` starts or ends at its new position.
    for (const end of a.ends) {
      const other = graph.edges[end.edge];
      if (end.end === 0) other.points[0] = [a.x, a.y];
      else other.points[other.points.length - 1] = [a.x, a.y];
    }
  }
}

/** The direction an edge leaves a node in, measured `reach` pixels along it. */
function leaving(edge: Edge, end: 0 | 1, reach: number): Point {
  const points = end === 0 ? edge.points : [...edge.points].reverse();
  const [x0, y0] = points[0];
  let travelled = 0;
  let target = points.at(-1)!;
  for (let i = 1; i < points.length; i++) {
    travelled += Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
    if (travelled >= reach) {
      target = points[i];
      break;
    }
  }
  const dx = target[0] - x0;
  const dy = target[1] - y0;
  const norm = Math.hypot(dx, dy) || 1;
  return [dx / norm, dy / norm];
}

/**
 * Pairs the edge ends at each node (two at a node of degree 2; at a junction, the most nearly
 * opposite pairs first, up to `maxJoinBend`) and follows the pairs into strokes.
 */
function joinStrokes(graph: { nodes: Node[]; edges: Edge[] }, maxCos: number, reach: number): Point[][] {
  const { nodes, edges } = graph;
  const key = (edge: number, end: 0 | 1) => edge * 2 + end;
  /** The edge end each edge end continues into, at its node. */
  const partner = new Map<number, number>();
  for (const node of nodes) {
    const ends = liveEnds(graph, node);
    if (ends.length === 2) {
      partner.set(key(ends[0].edge, ends[0].end), key(ends[1].edge, ends[1].end));
      partner.set(key(ends[1].edge, ends[1].end), key(ends[0].edge, ends[0].end));
      continue;
    }
    if (ends.length < 3) continue;
    const directions = ends.map((e) => leaving(edges[e.edge], e.end, reach));
    const pairs: { i: number; j: number; cos: number }[] = [];
    for (let i = 0; i < ends.length; i++) {
      for (let j = i + 1; j < ends.length; j++) {
        pairs.push({ i, j, cos: directions[i][0] * directions[j][0] + directions[i][1] * directions[j][1] });
      }
    }
    pairs.sort((a, b) => a.cos - b.cos);
    const taken = new Set<number>();
    for (const { i, j, cos } of pairs) {
      if (cos > maxCos || taken.has(i) || taken.has(j)) continue;
      taken.add(i).add(j);
      partner.set(key(ends[i].edge, ends[i].end), key(ends[j].edge, ends[j].end));
      partner.set(key(ends[j].edge, ends[j].end), key(ends[i].edge, ends[i].end));
    }
  }

  const used = new Uint8Array(edges.length);
  const strokes: Point[][] = [];
  /** Follows edges from edge end (`edge`, `end`) onwards, appending their points to `stroke`. */
  const follow = (edge: number, end: 0 | 1, stroke: Point[]) => {
    for (;;) {
      used[edge] = 1;
      const points = end === 0 ? edges[edge].points : [...edges[edge].points].reverse();
      stroke.push(...(stroke.length === 0 ? points : points.slice(1)));
      const far = key(edge, end === 0 ? 1 : 0);
      const next = partner.get(far);
      if (next === undefined || used[next >> 1]) return;
      edge = next >> 1;
      end = (next & 1) as 0 | 1;
    }
  };
  // Strokes with an open end start there; then what is left are closed loops.
  for (const node of nodes) {
    for (const { edge, end } of liveEnds(graph, node)) {
      if (used[edge] || partner.has(key(edge, end))) continue;
      const stroke: Point[] = [];
      follow(edge, end, stroke);
      strokes.push(stroke);
    }
  }
  for (const [id, edge] of edges.entries()) {
    if (edge.removed || used[id]) continue;
    const stroke: Point[] = [];
    follow(id, 0, stroke);
    strokes.push(stroke);
  }
  // Nodes left without an edge are dots (a tap, or a blob thinned to a point).
  for (const node of nodes) {
    if (node.mergedInto === undefined && node.ends.length === 0) strokes.push([[node.x, node.y]]);
  }
  return strokes;
}

/** A 1-2-1 moving average of the inner points: the pixel staircase becomes a line. Ends stay. */
function smooth(stroke: readonly Point[]): Point[] {
  if (stroke.length < 3) return [...stroke];
  const closed = stroke.length > 3 && stroke[0][0] === stroke.at(-1)![0] && stroke[0][1] === stroke.at(-1)![1];
  return stroke.map((point, i): Point => {
    if (!closed && (i === 0 || i === stroke.length - 1)) return point;
    const before = stroke[i === 0 ? stroke.length - 2 : i - 1];
    const after = stroke[i === stroke.length - 1 ? 1 : i + 1];
    return [(before[0] + 2 * point[0] + after[0]) / 4, (before[1] + 2 * point[1] + after[1]) / 4];
  });
}

/** Ramer–Douglas–Peucker: the fewest points within `tolerance` of the stroke. */
export function simplify(stroke: readonly Point[], tolerance: number): Point[] {
  if (stroke.length < 3) return [...stroke];
  const keep = new Uint8Array(stroke.length);
  keep[0] = 1;
  keep[stroke.length - 1] = 1;
  const stack: [number, number][] = [[0, stroke.length - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    let worst = -1;
    let worstDistance = tolerance;
    for (let i = a + 1; i < b; i++) {
      const d = distanceToSegment(stroke[i], stroke[a], stroke[b]);
      if (d > worstDistance) {
        worst = i;
        worstDistance = d;
      }
    }
    if (worst !== -1) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return stroke.filter((_, i) => keep[i] === 1);
}

/** Distance from `p` to the segment a–b. */
export function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const squared = dx * dx + dy * dy;
  const t = squared === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / squared));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}
