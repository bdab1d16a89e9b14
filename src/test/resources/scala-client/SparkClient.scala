// Client code written for Spark's org.apache.spark.ml.clustering.GaussianMixture, with only the import
// changed (README, "Spark ML"). ScalaClientTest compiles it with scalac against mixem and runs it.
import org.apache.spark.ml.linalg.Vectors
import org.apache.spark.sql.SparkSession
import dev.mixem.ml.{GaussianMixture, GaussianMixtureModel} // was org.apache.spark.ml.clustering.{...}

object SparkClient {
  def run(spark: SparkSession, dir: String): Array[Double] = {
    import spark.implicits._
    val rng = new scala.util.Random(7)
    val rows = (0 until 300).map { i =>
      val c = if (i % 3 == 0) 5.0 else 0.0
      Tuple1(Vectors.dense(c + rng.nextGaussian(), c + 0.5 * rng.nextGaussian()))
    }
    val dataset = rows.toDF("features")

    val gmm = new GaussianMixture().setK(2).setSeed(1L).setMaxIter(50)
    val model = gmm.fit(dataset)
    for (i <- 0 until model.getK) {
      println(s"Gaussian $i:\nweight=${model.weights(i)}\nmu=${model.gaussians(i).mean}\nsigma=\n${model.gaussians(i).cov}\n")
    }
    model.gaussiansDF.show(false)
    model.gaussians.foreach(g => require(g.cov.numRows == 2 && g.mean.size == 2))
    require(math.abs(model.weights.sum - 1.0) < 1e-12 && model.weights.length == 2)
    val weightsArray: Array[Double] = model.weights
    require(weightsArray.length == model.gaussians.length)
    val summary = model.summary
    require(summary.clusterSizes.sum == dataset.count())
    require(summary.k == 2 && model.hasSummary)
    model.transform(dataset).select("features", "prediction", "probability").show(3)

    model.write.overwrite().save(dir + "/model")
    val same = GaussianMixtureModel.load(dir + "/model")
    require(same.weights.sameElements(model.weights))
    gmm.write.overwrite().save(dir + "/estimator")
    require(GaussianMixture.load(dir + "/estimator").getK == 2)
    println(gmm.explainParams())
    println(s"k param: ${gmm.k.name}, default maxIter ${new GaussianMixture().getMaxIter}")
    Array(summary.logLikelihood, summary.numIter.toDouble, model.predict(Vectors.dense(5.0, 5.0)).toDouble,
      model.predict(Vectors.dense(0.0, 0.0)).toDouble)
  }
}
