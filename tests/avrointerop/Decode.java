// Decode is a consumer written the way the Java ecosystem's Avro deserializers work: for each
// Confluent wire-format record it reads the schema id from the header, fetches that writer
// schema from the registry (GET /schemas/ids/{id}, once per id) and decodes the body with
// Apache Avro's GenericDatumReader. It knows nothing of our schema files or of hamba/avro.
//
// Usage: java -cp 'LIB/*' Decode.java REGISTRY_URL RECORD_FILE...
// Prints one JSON line per record: {"file": ..., "schemaId": N, "record": <the datum>}.
// Exits 1 at the first record it cannot decode, naming the file and the reason.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

public class Decode {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Decode REGISTRY_URL RECORD_FILE...");
            System.exit(2);
        }
        String registry = args[0].replaceAll("/+$", "");
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        Map<Integer, Schema> writers = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String file = args[i];
            byte[] b = Files.readAllBytes(Path.of(file));
            if (b.length < 5 || b[0] != 0) {
                fail(file, "not Confluent wire format (length " + b.length + ")");
            }
            int id = ByteBuffer.wrap(b, 1, 4).getInt();
            Schema writer = writers.get(id);
            if (writer == null) {
                HttpResponse<String> resp = http.send(
                        HttpRequest.newBuilder(URI.create(registry + "/schemas/ids/" + id)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() != 200) {
                    fail(file, "GET /schemas/ids/" + id + " answered " + resp.statusCode() + ": " + resp.body());
                }
                JsonNode node = json.readTree(resp.body());
                writer = new Schema.Parser().parse(node.get("schema").asText());
                writers.put(id, writer);
            }
            BinaryDecoder dec = DecoderFactory.get().binaryDecoder(b, 5, b.length - 5, null);
            GenericRecord rec;
            try {
                rec = new GenericDatumReader<GenericRecord>(writer).read(null, dec);
            } catch (Exception e) {
                fail(file, "decoding with schema id " + id + ": " + e);
                return;
            }
            if (!dec.isEnd()) {
                fail(file, "bytes left after the record: schema id " + id + " does not describe what was written");
            }
            System.out.println("{\"file\": " + json.writeValueAsString(file) + ", \"schemaId\": " + id + ", \"record\": " + rec + "}");
        }
    }

    static void fail(String file, String why) {
        System.err.println(file + ": " + why);
        System.exit(1);
    }
}
