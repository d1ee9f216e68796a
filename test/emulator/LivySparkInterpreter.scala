// The Scala interpreter of an emulated Livy session: Apache Livy's SparkInterpreter (scala-2.12)
// and AbstractSparkInterpreter, ported to run on the SparkSession the session's driver already
// has (livy_repl.py made it; it reaches this class through py4j). As in Livy: a SparkILoop in the
// driver JVM with class-based wrappers whose classes executors load from spark.repl.class.outputDir;
// `spark` and `sc` bound and Livy's imports run at start; code run line by line (incomplete lines
// joined with the next), each line under Console.withOut into one buffer that the REPL's own
// printer also writes to, so text/plain is what the REPL prints (`res0: Int = 2`); a failed line
// an error whose evalue is the first printed line and whose traceback the rest; %json and %table.
// Compiled once with the scala-compiler among pyspark's jars (test/harness/spark.ts).
// Livy: repl/scala-2.12/.../SparkInterpreter.scala, repl/src/main/scala/.../AbstractSparkInterpreter.scala,
// Session.scala (the output's JSON, the job group per statement).
package livyemulator

import java.io.{ByteArrayOutputStream, File}
import java.net.URLClassLoader
import java.nio.file.Paths

import scala.tools.nsc.Settings
import scala.tools.nsc.interpreter.{JPrintWriter, Results}

import org.apache.spark.rdd.RDD
import org.apache.spark.repl.SparkILoop
import org.apache.spark.sql.SparkSession
import org.json4s._
import org.json4s.JsonDSL._
import org.json4s.jackson.JsonMethods.{compact, render}

object LivySparkInterpreter {
  private val KEEP_NEWLINE_REGEX = """(?<=\n)""".r
  private val MAGIC_REGEX = "^%(\\w+)\\W*(.*)".r
  private val TEXT_PLAIN = "text/plain"
  private val APPLICATION_JSON = "application/json"
  private val APPLICATION_LIVY_TABLE_JSON = "application/vnd.livy.table.v1+json"

  private sealed trait ExecuteResponse
  private case class ExecuteSuccess(content: JObject) extends ExecuteResponse
  private case class ExecuteError(ename: String, evalue: String, traceback: Seq[String] = Seq()) extends ExecuteResponse
  private case class ExecuteIncomplete() extends ExecuteResponse
}

class LivySparkInterpreter(spark: SparkSession) {
  import LivySparkInterpreter._

  private implicit def formats: Formats = DefaultFormats

  private val outputStream = new ByteArrayOutputStream()
  private var sparkILoop: SparkILoop = _

  /** SparkInterpreter.start and AbstractSparkInterpreter.postStart, on the existing session. */
  def start(): Unit = synchronized {
    require(sparkILoop == null)
    // Livy makes this directory and names it in the conf before the SparkContext exists (which
    // then serves it to executors as spark.repl.class.uri); here the session was started with it.
    val outputDir = new File(
      spark.sparkContext.getConf.getOption("spark.repl.class.outputDir").getOrElse(
        throw new IllegalStateException("spark.repl.class.outputDir is not set: executors could not load the REPL's classes")))
    outputDir.mkdirs()

    val settings = new Settings()
    settings.processArguments(List("-Yrepl-class-based", "-Yrepl-outdir", s"${outputDir.getAbsolutePath}"), true)
    settings.usejavacp.value = true
    settings.embeddedDefaults(Thread.currentThread().getContextClassLoader())

    sparkILoop = new SparkILoop(None, new JPrintWriter(outputStream, true))
    sparkILoop.settings = settings
    sparkILoop.createInterpreter()
    sparkILoop.initializeSynchronous()

    restoreContextClassLoader {
      sparkILoop.compilerClasspath
      sparkILoop.ensureClassLoader
      var classLoader = Thread.currentThread().getContextClassLoader
      while (classLoader != null) {
        if (classLoader.getClass.getCanonicalName == "org.apache.spark.util.MutableURLClassLoader") {
          // The jars of spark.jars and spark.jars.packages (such as the Kafka connector).
          val extraJarPath = classLoader.asInstanceOf[URLClassLoader].getURLs()
            .filter { u => u.getProtocol == "file" && new File(u.getPath).isFile }
            .filterNot { u => Paths.get(u.toURI).getFileName.toString.startsWith("livy-") }
            .filterNot { u => Paths.get(u.toURI).getFileName.toString.contains("org.scala-lang_scala-reflect") }
          sparkILoop.addUrlsToClassPath(extraJarPath: _*)
          classLoader = null
        } else {
          classLoader = classLoader.getParent
        }
      }

      bind("spark", spark.getClass.getCanonicalName, spark, List("""@transient"""))
      bind("sc", "org.apache.spark.SparkContext", spark.sparkContext, List("""@transient"""))
      execute("import org.apache.spark.SparkContext._")
      execute("import spark.implicits._")
      execute("import spark.sql")
      execute("import org.apache.spark.sql.functions._")
    }
  }

  /**
   * Runs one statement as Livy's Session does for kind spark: its job group first (the statement's
   * id, so a cancel can stop its jobs), then the code. Returns Livy's output without
   * execution_count, as JSON text.
   */
  def executeStatement(statementId: Int, code: String): String = synchronized {
    val jobGroup = statementId.toString
    // A dummy value to avoid automatic value binding in scala REPL (Livy's own words and line).
    execute(s"""val _livyJobGroup$jobGroup = sc.setJobGroup("$jobGroup",""" +
      s""""Job group for statement $jobGroup")""")
    val json: JObject = try {
      execute(code) match {
        case ExecuteSuccess(data) =>
          ("status" -> "ok") ~ ("data" -> data)
        case ExecuteIncomplete() =>
          ("status" -> "error") ~ ("ename" -> "Error") ~ ("evalue" -> "incomplete statement") ~
            ("traceback" -> Seq.empty[String])
        case ExecuteError(ename, evalue, traceback) =>
          ("status" -> "error") ~ ("ename" -> ename) ~ ("evalue" -> evalue) ~ ("traceback" -> traceback)
      }
    } catch {
      case e: Throwable =>
        ("status" -> "error") ~ ("ename" -> s"Internal Error: ${e.getClass.getName}") ~
          ("evalue" -> e.getMessage) ~ ("traceback" -> Seq.empty[String])
    }
    compact(render(json))
  }

  def close(): Unit = synchronized {
    if (sparkILoop != null) {
      sparkILoop.closeInterpreter()
      sparkILoop = null
    }
  }

  private def bind(name: String, tpe: String, value: Object, modifier: List[String]): Unit = {
    sparkILoop.beQuietDuring {
      sparkILoop.bind(name, tpe, value, modifier)
    }
  }

  private def interpret(code: String): Results.Result = sparkILoop.interpret(code)

  private def valueOfTerm(name: String): Option[Any] = {
    // IMain#valueOfTerm will always return None, so use other way instead.
    Option(sparkILoop.lastRequest.lineRep.call("$result"))
  }

  private def execute(code: String): ExecuteResponse = restoreContextClassLoader {
    require(sparkILoop != null)
    executeLines(code.trim.split("\n").toList, ExecuteSuccess(JObject((TEXT_PLAIN, JString("")))))
  }

  private def executeMagic(magic: String, rest: String): ExecuteResponse = {
    magic match {
      case "json" => executeJsonMagic(rest)
      case "table" => executeTableMagic(rest)
      case _ => ExecuteError("UnknownMagic", f"Unknown magic command $magic")
    }
  }

  private def executeJsonMagic(name: String): ExecuteResponse = {
    try {
      val value = valueOfTerm(name) match {
        case Some(obj: RDD[_]) => obj.asInstanceOf[RDD[_]].take(10)
        case Some(obj) => obj
        case None => return ExecuteError("NameError", f"Value $name does not exist")
      }
      ExecuteSuccess(JObject((APPLICATION_JSON, Extraction.decompose(value))))
    } catch {
      case _: Throwable => ExecuteError("ValueError", "Failed to convert value into a JSON value")
    }
  }

  private class TypesDoNotMatch extends Exception

  private def convertTableType(value: JValue): String = {
    value match {
      case (JNothing | JNull) => "NULL_TYPE"
      case JBool(_) => "BOOLEAN_TYPE"
      case JString(_) => "STRING_TYPE"
      case JInt(_) => "BIGINT_TYPE"
      case JDouble(_) => "DOUBLE_TYPE"
      case JDecimal(_) => "DECIMAL_TYPE"
      case JArray(arr) => if (allSameType(arr.iterator)) "ARRAY_TYPE" else throw new TypesDoNotMatch
      case JObject(obj) => if (allSameType(obj.iterator.map(_._2))) "MAP_TYPE" else throw new TypesDoNotMatch
      case _ => throw new TypesDoNotMatch
    }
  }

  private def allSameType(values: Iterator[JValue]): Boolean = {
    if (values.hasNext) {
      val typeName = convertTableType(values.next())
      values.forall { value => typeName.equals(convertTableType(value)) }
    } else {
      true
    }
  }

  private def executeTableMagic(name: String): ExecuteResponse = {
    val value = valueOfTerm(name) match {
      case Some(obj: RDD[_]) => obj.asInstanceOf[RDD[_]].take(10)
      case Some(obj) => obj
      case None => return ExecuteError("NameError", f"Value $name does not exist")
    }
    extractTableFromJValue(Extraction.decompose(value))
  }

  private def extractTableFromJValue(value: JValue): ExecuteResponse = {
    val rows: List[JValue] = value match {
      case JArray(arr) => arr
      case _ => List(value)
    }
    try {
      val headers = scala.collection.mutable.Map[String, Map[String, String]]()
      val data = rows.map { row =>
        val cols: List[JField] = row match {
          case JArray(arr: List[JValue]) => arr.zipWithIndex.map { case (v, index) => JField(index.toString, v) }
          case JObject(obj) => obj.sortBy(_._1)
          case value: JValue => List(JField("0", value))
        }
        cols.map { case (k, v) =>
          val typeName = convertTableType(v)
          headers.get(k) match {
            case Some(header) => if (header("type") != typeName) throw new TypesDoNotMatch
            case None => headers.put(k, Map("type" -> typeName, "name" -> k))
          }
          v
        }
      }
      ExecuteSuccess(JObject((APPLICATION_LIVY_TABLE_JSON,
        ("headers" -> headers.toSeq.sortBy(_._1).map(_._2)) ~ ("data" -> data))))
    } catch {
      case _: TypesDoNotMatch => ExecuteError("TypeError", "table rows have different types")
    }
  }

  private def executeLines(lines: List[String], resultFromLastLine: ExecuteResponse): ExecuteResponse = {
    lines match {
      case Nil => resultFromLastLine
      case head :: tail =>
        val result = executeLine(head)
        result match {
          case ExecuteIncomplete() =>
            tail match {
              case Nil =>
                // An incomplete statement or only comments: the same wrapped in { } tells them apart.
                executeLine(s"{\n$head\n}") match {
                  case ExecuteIncomplete() | ExecuteError(_, _, _) => result
                  case _ => resultFromLastLine
                }
              case next :: nextTail =>
                executeLines(head + "\n" + next :: nextTail, resultFromLastLine)
            }
          case ExecuteError(_, _, _) => result
          case ExecuteSuccess(e) =>
            val mergedRet = resultFromLastLine match {
              case ExecuteSuccess(s) =>
                // Only text/plain results are merged (sparkmagic's magics keep the last).
                if (s.values.contains(TEXT_PLAIN) && e.values.contains(TEXT_PLAIN)) {
                  val lastRet = s.values.getOrElse(TEXT_PLAIN, "").asInstanceOf[String]
                  val currRet = e.values.getOrElse(TEXT_PLAIN, "").asInstanceOf[String]
                  if (lastRet.nonEmpty && currRet.nonEmpty) ExecuteSuccess(JObject((TEXT_PLAIN, JString(s"$lastRet$currRet"))))
                  else if (lastRet.nonEmpty) ExecuteSuccess(JObject((TEXT_PLAIN, JString(lastRet))))
                  else if (currRet.nonEmpty) ExecuteSuccess(JObject((TEXT_PLAIN, JString(currRet))))
                  else result
                } else {
                  result
                }
              case _ => result
            }
            executeLines(tail, mergedRet)
        }
    }
  }

  private def executeLine(code: String): ExecuteResponse = {
    code match {
      case MAGIC_REGEX(magic, rest) => executeMagic(magic, rest)
      case _ =>
        scala.Console.withOut(outputStream) {
          interpret(code) match {
            case Results.Success => ExecuteSuccess(JObject((TEXT_PLAIN, JString(readStdout()))))
            case Results.Incomplete => ExecuteIncomplete()
            case Results.Error =>
              val (ename, traceback) = parseError(readStdout())
              ExecuteError("Error", ename, traceback)
          }
        }
    }
  }

  /** The first printed line is the error (`<console>:24: error: …`, `java.lang.RuntimeException: …`), the rest its trace. */
  private def parseError(stdout: String): (String, Seq[String]) = {
    val lines = KEEP_NEWLINE_REGEX.split(stdout)
    val ename = lines.headOption.map(_.trim).getOrElse("unknown error")
    (ename, lines.tail)
  }

  private def restoreContextClassLoader[T](fn: => T): T = {
    val currentClassLoader = Thread.currentThread().getContextClassLoader()
    try fn finally Thread.currentThread().setContextClassLoader(currentClassLoader)
  }

  private def readStdout(): String = {
    val output = outputStream.toString("UTF-8")
    outputStream.reset()
    output
  }
}
