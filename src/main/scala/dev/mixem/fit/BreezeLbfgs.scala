package dev.mixem.fit

import breeze.linalg.DenseVector
import breeze.optimize.{DiffFunction, LBFGS}

/**
 * Breeze's L-BFGS (the implementation Spark ML uses), for Java callers. Breeze's `DiffFunction` cannot be
 * implemented in Java (its Scala `apply` overloads clash under erasure), hence this adapter, the only Scala
 * source in mixem.
 *
 * @param memory number of correction pairs kept (Breeze's `m`)
 */
final class BreezeLbfgs(memory: Int) {

  /**
   * The iterates of L-BFGS minimizing `objective`, which maps coordinates to an array holding the value and
   * then the gradient. Each element is the point reached after one more iteration (line search included);
   * the caller stops consuming whenever it likes.
   */
  def iterates(objective: java.util.function.Function[Array[Double], Array[Double]], x0: Array[Double],
               maxIterations: Int): java.util.Iterator[Array[Double]] = {
    val f = new DiffFunction[DenseVector[Double]] {
      def calculate(x: DenseVector[Double]): (Double, DenseVector[Double]) = {
        val r = objective.apply(x.toArray)
        (r(0), DenseVector(r.drop(1)))
      }
    }
    val lbfgs = new LBFGS[DenseVector[Double]](maxIter = maxIterations, m = memory, tolerance = 0.0)
    val it = lbfgs.iterations(f, DenseVector(x0)).map(_.x.toArray)
    new java.util.Iterator[Array[Double]] {
      override def hasNext: Boolean = it.hasNext
      override def next(): Array[Double] = it.next()
    }
  }
}
