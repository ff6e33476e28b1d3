;; Roofline kernel in WebAssembly SIMD: y[i] += a * x[i] over f64x2 lanes, `reps` times.
;; x and y are byte offsets into this module's memory, 16-byte aligned; n is even.
(module
  (memory (export "memory") 16)
  (func (export "multiplyAdd") (param $y i32) (param $x i32) (param $n i32) (param $a f64) (param $reps i32)
    (local $av v128)
    (local $bytes i32)
    (local $o i32)
    (local $r i32)
    (local.set $av (f64x2.splat (local.get $a)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 3)))
    (block $repsDone
      (loop $rep
        (br_if $repsDone (i32.ge_u (local.get $r) (local.get $reps)))
        (local.set $o (i32.const 0))
        (block $rowDone
          (loop $row
            (br_if $rowDone (i32.ge_u (local.get $o) (local.get $bytes)))
            (v128.store
              (i32.add (local.get $y) (local.get $o))
              (f64x2.add
                (v128.load (i32.add (local.get $y) (local.get $o)))
                (f64x2.mul (local.get $av) (v128.load (i32.add (local.get $x) (local.get $o))))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $row)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rep)))))
