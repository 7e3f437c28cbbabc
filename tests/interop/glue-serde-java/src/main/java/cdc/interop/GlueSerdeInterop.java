package cdc.interop;

import com.amazonaws.services.schemaregistry.deserializers.GlueSchemaRegistryKafkaDeserializer;
import com.amazonaws.services.schemaregistry.serializers.GlueSchemaRegistryKafkaSerializer;
import com.amazonaws.services.schemaregistry.utils.AWSSchemaRegistryConstants;
import com.amazonaws.services.schemaregistry.utils.AvroRecordType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * schema   <file.avsc>                                             prints Avro Java's form of the schema
 * encode   <registry> <schemaName> <NONE|ZLIB> <file.avsc> <in.jsonl>  prints one hex message per record
 * decode   <registry> <in.hex>                                      prints one JSON record per message
 * Registry endpoint, region and credentials come from AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID/SECRET.
 */
public final class GlueSerdeInterop {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "schema" -> System.out.println(new Schema.Parser().parse(new File(args[1])).toString());
      case "encode" -> encode(args[1], args[2], args[3], new Schema.Parser().parse(new File(args[4])), Path.of(args[5]));
      case "decode" -> decode(args[1], Path.of(args[2]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  private static Map<String, Object> config(String registry) {
    Map<String, Object> config = new HashMap<>();
    config.put(AWSSchemaRegistryConstants.AWS_ENDPOINT, System.getenv("AWS_ENDPOINT_URL"));
    config.put(AWSSchemaRegistryConstants.AWS_REGION, System.getenv().getOrDefault("AWS_REGION", "us-east-1"));
    config.put(AWSSchemaRegistryConstants.REGISTRY_NAME, registry);
    config.put(AWSSchemaRegistryConstants.DATA_FORMAT, "AVRO");
    config.put(AWSSchemaRegistryConstants.SCHEMA_AUTO_REGISTRATION_SETTING, false);
    config.put(AWSSchemaRegistryConstants.AVRO_RECORD_TYPE, AvroRecordType.GENERIC_RECORD.getName());
    return config;
  }

  private static void encode(String registry, String schemaName, String compression, Schema schema, Path input) throws Exception {
    Map<String, Object> config = config(registry);
    config.put(AWSSchemaRegistryConstants.SCHEMA_NAME, schemaName);
    config.put(AWSSchemaRegistryConstants.COMPRESSION_TYPE, compression);
    try (GlueSchemaRegistryKafkaSerializer serializer = new GlueSchemaRegistryKafkaSerializer()) {
      serializer.configure(config, false);
      for (String line : Files.readAllLines(input, StandardCharsets.UTF_8)) {
        if (line.isBlank()) continue;
        byte[] bytes = serializer.serialize(schemaName, toAvro(schema, JSON.readTree(line)));
        System.out.println(HexFormat.of().formatHex(bytes));
      }
    }
  }

  private static void decode(String registry, Path input) throws Exception {
    try (GlueSchemaRegistryKafkaDeserializer deserializer = new GlueSchemaRegistryKafkaDeserializer()) {
      deserializer.configure(config(registry), false);
      for (String line : Files.readAllLines(input, StandardCharsets.UTF_8)) {
        if (line.isBlank()) continue;
        Object record = deserializer.deserialize("interop", HexFormat.of().parseHex(line.trim()));
        System.out.println(GenericData.get().toString(record));
      }
    }
  }

  /** Plain JSON (ISO times, unwrapped unions) to Avro's generic representation, by the schema. */
  static Object toAvro(Schema schema, JsonNode node) {
    String logical = schema.getLogicalType() == null ? null : schema.getLogicalType().getName();
    switch (schema.getType()) {
      case RECORD -> {
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) record.put(field.name(), toAvro(field.schema(), node.get(field.name())));
        return record;
      }
      case UNION -> {
        if (node == null || node.isNull()) return null;
        for (Schema branch : schema.getTypes()) if (branch.getType() != Schema.Type.NULL) return toAvro(branch, node);
        throw new IllegalArgumentException("union without a non-null branch");
      }
      case ARRAY -> {
        List<Object> items = new ArrayList<>();
        node.forEach(item -> items.add(toAvro(schema.getElementType(), item)));
        return new GenericData.Array<>(schema, items);
      }
      case ENUM -> { return new GenericData.EnumSymbol(schema, node.asText()); }
      case LONG -> { return "timestamp-millis".equals(logical) ? Instant.parse(node.asText()).toEpochMilli() : node.asLong(); }
      case INT -> { return "date".equals(logical) ? (int) LocalDate.parse(node.asText()).toEpochDay() : node.asInt(); }
      case DOUBLE -> { return node.asDouble(); }
      case BOOLEAN -> { return node.asBoolean(); }
      case STRING -> { return node.asText(); }
      default -> throw new IllegalArgumentException("type " + schema.getType() + " is not used by the project's schemas");
    }
  }
}
